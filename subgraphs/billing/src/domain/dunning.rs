//! Dunning: a finalized invoice still owing after its due date is
//! overdue: the tenant's admins are told once (`invoice.overdue`, which
//! the notifications subgraph delivers). Still owing `suspend_after`
//! past its due date, the tenant's subscription is suspended: its
//! entitlements are withdrawn (as if it had none) until what was owed is
//! settled, when they come back.

use backbone_entities::billing::invoice::{self, InvoiceStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use subgraph_kit::{ApiResult, outbox};
use uuid::Uuid;

use super::{entitlements, invoices, subscriptions, writes};

/// The event that tells a tenant's admins an invoice is overdue.
pub const OVERDUE: &str = "invoice.overdue";

/// Finalized invoices that still owe something.
fn owing() -> Condition {
    Condition::all().add(invoice::Column::Status.eq(InvoiceStatus::Finalized)).add(
        Expr::col(invoice::Column::Total)
            .sub(Expr::col(invoice::Column::CreditsApplied))
            .sub(Expr::col(invoice::Column::Credited))
            .sub(Expr::col(invoice::Column::Paid))
            .gt(0),
    )
}

/// One pass: notices invoices that fell overdue by `now`, suspends the
/// subscriptions of tenants owing `suspend_after` past a due date.
/// Returns (invoices noticed, subscriptions suspended).
pub async fn run(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    suspend_after: Duration,
) -> ApiResult<(usize, usize)> {
    let overdue = invoice::Entity::find()
        .filter(owing())
        .filter(invoice::Column::DueAt.lte(now))
        .filter(invoice::Column::OverdueAt.is_null())
        .limit(500)
        .all(db)
        .await?;
    let noticed = overdue.len();
    for inv in overdue {
        let txn = db.begin().await?;
        let recipients = subgraph_kit::recipients::tenant_admins(&txn, inv.tenant_id).await?;
        let payload = json!({
            "invoiceId": inv.id, "number": inv.number, "currency": inv.currency, "dueAt": inv.due_at,
            "amountDue": super::money::Currency::parse("currency", &inv.currency)?.from_minor(invoices::due(&inv)).to_string(),
            "recipientIds": recipients,
        });
        let mut active: invoice::ActiveModel = inv.clone().into();
        active.overdue_at = Set(Some(now));
        active.update(&txn).await?;
        outbox::enqueue(&txn, inv.tenant_id, None, OVERDUE, payload).await?;
        subgraph_kit::db::commit(txn).await?;
    }
    let late: Vec<Uuid> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::TenantId)
        .distinct()
        .filter(owing())
        .filter(invoice::Column::DueAt.lte(now - suspend_after))
        .into_tuple()
        .all(db)
        .await?;
    let mut suspended = 0;
    for tenant in late {
        let txn = db.begin().await?;
        if let Some(sub) = subscriptions::live(&txn, tenant).await?
            && sub.row.suspended_at.is_none()
        {
            let mut row = sub.row.clone();
            row.suspended_at = Some(now);
            row.updated_at = now;
            let row = writes::save(&txn, row).await?;
            entitlements::publish(&txn, tenant, None, "suspended").await?;
            writes::record(&txn, &row, None, "suspended", json!({})).await?;
            suspended += 1;
        }
        subgraph_kit::db::commit(txn).await?;
    }
    Ok((noticed, suspended))
}

/// Lifts `tenant_id`'s suspension once nothing it owes is `suspend_after`
/// past its due date: its plan's entitlements come back.
pub(crate) async fn lift(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    suspend_after: Duration,
) -> ApiResult<()> {
    let Some(sub) = subscriptions::live(txn, tenant_id).await? else { return Ok(()) };
    if sub.row.suspended_at.is_none() {
        return Ok(());
    }
    let still = invoice::Entity::find()
        .filter(invoice::Column::TenantId.eq(tenant_id))
        .filter(owing())
        .filter(invoice::Column::DueAt.lte(now - suspend_after))
        .one(txn)
        .await?;
    if still.is_some() {
        return Ok(());
    }
    let mut row = sub.row.clone();
    row.suspended_at = None;
    row.updated_at = now;
    let row = writes::save(txn, row).await?;
    if let Some((_, plan)) = subscriptions::plan_in_force(txn, tenant_id).await? {
        let status = format!("{:?}", row.status).to_lowercase();
        entitlements::publish(txn, tenant_id, Some(&plan.plan), &status).await?;
    }
    writes::record(txn, &row, None, "reinstated", json!({})).await
}
