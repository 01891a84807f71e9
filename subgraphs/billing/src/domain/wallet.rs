//! Each customer's wallet: prepaid credit per currency, kept as a ledger
//! of entries (top-ups, credit notes credited back, credit used). A
//! top-up is a prepayment: it is not taxed, since the invoices it pays
//! are. Credit is used on an invoice when it is finalized, after tax.

use backbone_entities::billing::wallet_entry::{self, WalletEntryKind};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use subgraph_kit::{ApiError, ApiResult, validate};
use uuid::Uuid;

use super::money::Currency;

/// Adds an entry.
pub(crate) async fn enter(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    currency: Currency,
    amount: i64,
    kind: WalletEntryKind,
    invoice_id: Option<Uuid>,
    description: String,
) -> ApiResult<wallet_entry::Model> {
    Ok(wallet_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        currency: Set(currency.code().to_owned()),
        amount: Set(amount),
        kind: Set(kind),
        invoice_id: Set(invoice_id),
        description: Set(description),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// Records a prepayment of `amount` (in `currency`, not taxed).
pub async fn top_up(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    currency: &str,
    amount: Decimal,
    description: &str,
) -> ApiResult<wallet_entry::Model> {
    let currency = Currency::parse("currency", currency)?;
    let description = validate::name("description", description)?;
    if amount <= Decimal::ZERO || amount.round_dp(currency.exponent()) != amount {
        return Err(ApiError::bad_input(
            "amount",
            format!("a top-up is a positive amount with at most {} decimals", currency.exponent()),
        ));
    }
    let minor = currency.to_minor(amount)?;
    enter(db, tenant_id, currency, minor, WalletEntryKind::TopUp, None, description).await
}

/// The tenant's balance in `currency`, minor units.
pub async fn balance(db: &impl ConnectionTrait, tenant_id: Uuid, currency: Currency) -> ApiResult<i64> {
    let amounts: Vec<i64> = wallet_entry::Entity::find()
        .select_only()
        .column(wallet_entry::Column::Amount)
        .filter(wallet_entry::Column::TenantId.eq(tenant_id))
        .filter(wallet_entry::Column::Currency.eq(currency.code()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(amounts.into_iter().sum())
}

/// The tenant's entries, newest first (at most 100).
pub async fn entries(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Vec<wallet_entry::Model>> {
    Ok(wallet_entry::Entity::find()
        .filter(wallet_entry::Column::TenantId.eq(tenant_id))
        .order_by_desc(wallet_entry::Column::Id)
        .limit(100)
        .all(db)
        .await?)
}

/// Uses the tenant's credit on invoice `invoice_id` owing `total`: as
/// much as the balance covers; returns what was used.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    currency: Currency,
    invoice_id: Uuid,
    number: &str,
    total: i64,
) -> ApiResult<i64> {
    let used = balance(db, tenant_id, currency).await?.min(total).max(0);
    if used > 0 {
        let note = format!("Credit used on invoice {number}");
        enter(db, tenant_id, currency, -used, WalletEntryKind::Applied, Some(invoice_id), note).await?;
    }
    Ok(used)
}
