//! Billing's side of the data contract. Billing rows are the customer
//! tenant's and stay for legal retention; what names a person is the
//! pseudonym a unique count keeps (a SHA-256 of their id or address).
//! Export lists the usage counted under it; erasure re-keys it with a
//! secret nobody keeps, the same new key for every row of that person,
//! so the counts of past periods (and invoices) stay what they were but
//! nothing leads back to the person any more. Free text the operator
//! wrote on billing rows (payment references, credit-note reasons, wallet
//! and invoice-line descriptions, void reasons) that names the person by
//! id or address is replaced.

use async_trait::async_trait;
use backbone_entities::billing::{credit_note, invoice, invoice_line, metric, payment, usage, wallet_entry};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};

use super::metering::distinct_key;

/// The data type retention rules name to purge old usage.
pub const USAGE: &str = "billing_usage";

/// Billing's data contract.
pub struct BillingData;

/// The pseudonyms a person's id and addresses are counted under.
fn keys(who: &Person) -> Vec<String> {
    std::iter::once(who.user_id.to_string())
        .chain(who.contacts.iter().cloned())
        .map(|v| distinct_key(&v))
        .collect()
}

/// Replaces `text` with a mark in the tenant's rows of `E` that name `who`.
async fn scrub<E: EntityTrait>(
    txn: &DatabaseTransaction,
    who: &Person,
    tenant: E::Column,
    text: E::Column,
) -> ApiResult<u64> {
    Ok(E::update_many()
        .col_expr(text, Expr::value("(erased)"))
        .filter(tenant.eq(who.tenant_id))
        .filter(who.named_in(text))
        .exec(txn)
        .await?
        .rows_affected)
}

#[async_trait]
impl DataContract for BillingData {
    fn data_types(&self) -> &'static [&'static str] {
        &[USAGE]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let rows = usage::Entity::find()
            .filter(usage::Column::TenantId.eq(who.tenant_id))
            .filter(usage::Column::DistinctKey.is_in(keys(who)))
            .all(db)
            .await?;
        let metrics = metric::Entity::find().all(db).await?;
        let code = |id| metrics.iter().find(|m| m.id == id).map_or("", |m| m.code.as_str());
        Ok(json!({
            "countedUsage": rows.iter().map(|r| json!({
                "metric": code(r.metric_id), "occurredAt": r.occurred_at, "source": format!("{:?}", r.source).to_lowercase(),
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let secret = uuid::Uuid::new_v4().to_string();
        let mut rekeyed = 0;
        for key in keys(who) {
            rekeyed += usage::Entity::update_many()
                .col_expr(usage::Column::DistinctKey, Expr::value(distinct_key(&format!("{secret}:{key}"))))
                .filter(usage::Column::TenantId.eq(who.tenant_id))
                .filter(usage::Column::DistinctKey.eq(key))
                .exec(txn)
                .await?
                .rows_affected;
        }
        // Free text the operator wrote about billing rows (a payment's
        // reference, a credit note's reason, …) that names the person.
        let scrubbed = [
            scrub::<payment::Entity>(txn, who, payment::Column::TenantId, payment::Column::Reference).await?,
            scrub::<credit_note::Entity>(
                txn,
                who,
                credit_note::Column::TenantId,
                credit_note::Column::Reason,
            )
            .await?,
            scrub::<wallet_entry::Entity>(
                txn,
                who,
                wallet_entry::Column::TenantId,
                wallet_entry::Column::Description,
            )
            .await?,
            scrub::<invoice_line::Entity>(
                txn,
                who,
                invoice_line::Column::TenantId,
                invoice_line::Column::Description,
            )
            .await?,
            scrub::<invoice::Entity>(txn, who, invoice::Column::TenantId, invoice::Column::VoidReason)
                .await?,
        ];
        Ok(counts([("billing_usage_rekeyed", rekeyed), ("billing_free_text_erased", scrubbed.iter().sum())]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let held: Vec<String> = p.exceptions.iter().map(|u| distinct_key(&u.to_string())).collect();
        let old = Condition::all()
            .add(usage::Column::TenantId.eq(p.tenant_id))
            .add(usage::Column::OccurredAt.lt(p.before))
            .add(
                Condition::any()
                    .add(usage::Column::DistinctKey.is_null())
                    .add(usage::Column::DistinctKey.is_not_in(held)),
            );
        if p.dry_run {
            return Ok(usage::Entity::find().filter(old).count(db).await?);
        }
        Ok(usage::Entity::delete_many().filter(old).exec(db).await?.rows_affected)
    }
}
