//! An invoice's way out of draft: finalized (recomputed one last time,
//! numbered, rendered, published), then paid or void.

use backbone_entities::billing::{
    customer,
    invoice::{self, InvoiceStatus},
    invoice_line::LineKind,
};
use backbone_schema::event_types::INVOICE_FINALIZED;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

use super::{
    coupons, customers,
    invoices::{self, Invoice},
    money::Currency,
    wallet,
};

/// Finalizes draft `id` now: its lines recomputed from the usage as it
/// is (late events within the grace period count), its number the
/// customer's next, taken in this transaction so that a finalization that
/// fails leaves no gap; its coupons counted and the wallet's credit used
/// on its total; due `terms` from now. `actor` is who asked (none for
/// the sweep).
pub async fn finalize(
    db: &DatabaseConnection,
    id: Uuid,
    actor: Option<Uuid>,
    terms: Duration,
) -> ApiResult<Invoice> {
    let txn = db.begin().await?;
    let row = invoices::load(&txn, None, id, true).await?;
    invoices::must_be(&row, InvoiceStatus::Draft, "finalized")?;
    let row = invoices::recompute(&txn, row).await?;
    let customer = customers::profile(&txn, row.tenant_id).await?;
    let sequence = take_number(&txn, &customer).await?;
    let number = format!("{}{sequence:06}", customer.invoice_prefix);
    let mut with = invoices::with_lines(&txn, row).await?;
    let discounts: Vec<_> = with.lines.iter().filter(|l| l.kind == LineKind::Discount).cloned().collect();
    coupons::consume(&txn, &discounts).await?;
    let currency = Currency::parse("currency", &with.row.currency)?;
    let used =
        wallet::apply(&txn, with.row.tenant_id, currency, with.row.id, &number, with.row.total).await?;
    let now = Utc::now();
    with.row.number = Some(number.clone());
    with.row.finalized_at = Some(now);
    with.row.credits_applied = used;
    let document = render(&with)?;
    let sha = hex::encode(Sha256::digest(document.as_bytes()));
    let mut active: invoice::ActiveModel = with.row.clone().into();
    active.status = Set(InvoiceStatus::Finalized);
    active.number = Set(Some(number.clone()));
    active.sequence = Set(Some(sequence));
    active.credits_applied = Set(used);
    active.due_at = Set(Some(now + terms));
    active.finalized_at = Set(Some(now));
    active.document = Set(Some(document));
    active.document_sha256 = Set(Some(sha.clone()));
    active.updated_at = Set(now);
    let row = active.update(&txn).await?;
    let data = json!({
        "invoiceId": row.id, "number": number, "currency": row.currency, "total": row.total,
        "periodStart": row.period_start, "periodEnd": row.period_end, "documentSha256": sha,
    });
    let entry = AuditEntry {
        event_type: INVOICE_FINALIZED,
        resource_type: "billing_invoice",
        resource_id: row.id.to_string(),
        data: data.clone(),
    };
    audit::append(&txn, row.tenant_id, actor, entry).await?;
    outbox::enqueue(&txn, row.tenant_id, actor, INVOICE_FINALIZED, data).await?;
    let out = Invoice { row, lines: with.lines };
    subgraph_kit::db::commit(txn).await?;
    Ok(out)
}

/// The customer's next invoice number, counted on (the row is locked on
/// Postgres; SQLite has one writer).
async fn take_number(txn: &DatabaseTransaction, c: &customer::Model) -> ApiResult<i64> {
    let mut active: customer::ActiveModel = c.clone().into();
    active.next_number = Set(c.next_number + 1);
    active.update(txn).await?;
    Ok(c.next_number)
}

/// The invoice as a document: JSON with sorted keys, amounts as decimal
/// text, so the same invoice always renders to the same bytes.
fn render(i: &Invoice) -> ApiResult<String> {
    let currency = Currency::parse("currency", &i.row.currency)?;
    let money = |minor: i64| currency.from_minor(minor).to_string();
    let lines: Vec<Value> = i
        .lines
        .iter()
        .map(|l| {
            json!({
                "kind": format!("{:?}", l.kind).to_lowercase(), "description": l.description,
                "quantity": l.quantity, "amount": money(l.amount), "from": l.from_at, "to": l.to_at,
                "pricing": serde_json::from_str::<Value>(&l.detail).unwrap_or(Value::Null),
            })
        })
        .collect();
    let doc = json!({
        "number": i.row.number, "customer": i.row.tenant_id, "currency": i.row.currency,
        "periodStart": i.row.period_start, "periodEnd": i.row.period_end, "issuedAt": i.row.finalized_at,
        "lines": lines, "discount": money(i.row.discount), "subtotal": money(i.row.subtotal),
        "tax": {"name": i.row.tax_name, "rate": i.row.tax_rate, "inclusive": i.row.tax_inclusive, "amount": money(i.row.tax)},
        "total": money(i.row.total), "creditsApplied": money(i.row.credits_applied),
        "amountDue": money(i.row.total - i.row.credits_applied),
    });
    serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Finalizes every draft whose grace period is over; returns how many.
pub async fn finalize_due(db: &DatabaseConnection, now: DateTime<Utc>, terms: Duration) -> ApiResult<usize> {
    let due: Vec<Uuid> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::Id)
        .filter(invoice::Column::Status.eq(InvoiceStatus::Draft))
        .filter(invoice::Column::GraceEndsAt.lte(now))
        .order_by_asc(invoice::Column::GraceEndsAt)
        .limit(200)
        .into_tuple()
        .all(db)
        .await?;
    let mut done = 0;
    for id in due {
        match finalize(db, id, None, terms).await {
            Ok(_) => done += 1,
            // Finalized meanwhile by the operator or another replica.
            Err(ApiError::Because { reason: "INVOICE_STATE", .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Voids finalized invoice `id` with `reason`; it keeps its number. An
/// invoice with payments is credited instead.
pub async fn void(
    db: &DatabaseConnection,
    id: Uuid,
    actor: Option<Uuid>,
    reason: &str,
) -> ApiResult<Invoice> {
    let reason = subgraph_kit::validate::name("reason", reason)?;
    let txn = db.begin().await?;
    let row = invoices::load(&txn, None, id, true).await?;
    invoices::must_be(&row, InvoiceStatus::Finalized, "voided")?;
    if row.paid > 0 {
        return Err(ApiError::conflict("INVOICE_STATE", "an invoice with payments is credited, not voided"));
    }
    let now = Utc::now();
    let mut active: invoice::ActiveModel = row.into();
    active.status = Set(InvoiceStatus::Void);
    active.voided_at = Set(Some(now));
    active.void_reason = Set(Some(reason.clone()));
    active.updated_at = Set(now);
    let row = active.update(&txn).await?;
    let entry = AuditEntry {
        event_type: "billing.invoice_voided",
        resource_type: "billing_invoice",
        resource_id: row.id.to_string(),
        data: json!({"number": row.number, "reason": reason}),
    };
    audit::append(&txn, row.tenant_id, actor, entry).await?;
    let out = invoices::with_lines(&txn, row).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(out)
}
