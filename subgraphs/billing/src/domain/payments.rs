//! Payments and refunds against finalized invoices, as the operator
//! records them (a bank transfer, or by hand) or as a card charge records
//! them ([`super::collection`]). An invoice whose amount due reaches zero is paid; a refund
//! that makes it owe again takes it back to finalized. Each is audited
//! and published; a payment that settles what got a subscription
//! suspended lifts the suspension ([`super::dunning`]).

use backbone_entities::billing::{
    invoice::{self, InvoiceStatus},
    payment::{self, PaymentKind, PaymentMethod},
};
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox, validate,
};
use uuid::Uuid;

use super::{
    dunning,
    invoices::{self, due},
    money::Currency,
};

/// Records a payment of `amount` (the whole amount due when absent)
/// against finalized invoice `invoice_id`; `suspend_after` is dunning's
/// period, to lift a suspension the payment settles.
pub async fn record(
    db: &DatabaseConnection,
    invoice_id: Uuid,
    amount: Option<Decimal>,
    method: PaymentMethod,
    reference: &str,
    actor: Option<Uuid>,
    suspend_after: Duration,
) -> ApiResult<payment::Model> {
    let reference = validate::name("reference", reference)?;
    let txn = db.begin().await?;
    let inv = invoices::load(&txn, None, invoice_id, true).await?;
    invoices::must_be(&inv, InvoiceStatus::Finalized, "paid")?;
    let currency = Currency::parse("currency", &inv.currency)?;
    let owed = due(&inv);
    let minor = minor(currency, amount, owed)?;
    if minor <= 0 || minor > owed {
        return Err(ApiError::bad_input(
            "amount",
            format!("a payment is above 0 and at most the {} still due", currency.from_minor(owed)),
        ));
    }
    let p = insert(&txn, &inv, PaymentKind::Payment, minor, method, reference, None).await?;
    let mut i: invoice::ActiveModel = inv.clone().into();
    i.paid = Set(inv.paid + minor);
    if minor == owed {
        i.status = Set(InvoiceStatus::Paid);
        i.paid_at = Set(Some(Utc::now()));
    }
    i.updated_at = Set(Utc::now());
    let inv = i.update(&txn).await?;
    publish(&txn, &inv, &p, "invoice.payment_recorded", actor).await?;
    dunning::lift(&txn, inv.tenant_id, Utc::now(), suspend_after).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(p)
}

/// Gives back `amount` (all that is left of it when absent) of payment
/// `payment_id`, with the reason as its reference.
pub async fn refund(
    db: &DatabaseConnection,
    payment_id: Uuid,
    amount: Option<Decimal>,
    reason: &str,
    actor: Option<Uuid>,
) -> ApiResult<payment::Model> {
    let reason = validate::name("reason", reason)?;
    let txn = db.begin().await?;
    let Refundable { original, invoice: inv, amount: minor, .. } =
        refundable(&txn, payment_id, amount, true).await?;
    let r =
        insert(&txn, &inv, PaymentKind::Refund, minor, original.method, reason, Some(original.id)).await?;
    let mut i: invoice::ActiveModel = inv.clone().into();
    i.paid = Set(inv.paid - minor);
    if inv.status == InvoiceStatus::Paid {
        i.status = Set(InvoiceStatus::Finalized);
        i.paid_at = Set(None);
    }
    i.updated_at = Set(Utc::now());
    let inv = i.update(&txn).await?;
    publish(&txn, &inv, &r, "invoice.refund_recorded", actor).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(r)
}

/// A payment that can be refunded, with its invoice and the amount.
pub struct Refundable {
    /// The payment.
    pub original: payment::Model,
    /// Its invoice (locked on Postgres when asked).
    pub invoice: invoice::Model,
    /// What is refunded, minor units.
    pub amount: i64,
    /// What was left of the payment before this refund.
    pub left: i64,
}

/// Payment `payment_id` and `amount` of it (all that is left when
/// absent), checked: NOT_FOUND for no such payment, BAD_USER_INPUT for
/// more than is left.
pub async fn refundable(
    db: &impl ConnectionTrait,
    payment_id: Uuid,
    amount: Option<Decimal>,
    lock: bool,
) -> ApiResult<Refundable> {
    let original = payment::Entity::find_by_id(payment_id)
        .filter(payment::Column::Kind.eq(PaymentKind::Payment))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no payment {payment_id}")))?;
    let invoice = invoices::load(db, None, original.invoice_id, lock).await?;
    let refunded: Vec<i64> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Amount)
        .filter(payment::Column::RefundOf.eq(original.id))
        .into_tuple()
        .all(db)
        .await?;
    let left = original.amount - refunded.iter().sum::<i64>();
    let currency = Currency::parse("currency", &invoice.currency)?;
    let amount = minor(currency, amount, left)?;
    if amount <= 0 || amount > left {
        return Err(ApiError::bad_input(
            "amount",
            format!("a refund is above 0 and at most the {} not yet refunded", currency.from_minor(left)),
        ));
    }
    Ok(Refundable { original, invoice, amount, left })
}

fn minor(currency: Currency, amount: Option<Decimal>, all: i64) -> ApiResult<i64> {
    match amount {
        None => Ok(all),
        Some(a) if a.round_dp(currency.exponent()) != a => Err(ApiError::bad_input(
            "amount",
            format!("{} has {} decimals", currency.code(), currency.exponent()),
        )),
        Some(a) => currency.to_minor(a),
    }
}

async fn insert(
    txn: &DatabaseTransaction,
    inv: &invoice::Model,
    kind: PaymentKind,
    amount: i64,
    method: PaymentMethod,
    reference: String,
    refund_of: Option<Uuid>,
) -> ApiResult<payment::Model> {
    Ok(payment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(inv.tenant_id),
        invoice_id: Set(inv.id),
        kind: Set(kind),
        amount: Set(amount),
        method: Set(method),
        reference: Set(reference),
        refund_of: Set(refund_of),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?)
}

async fn publish(
    txn: &DatabaseTransaction,
    inv: &invoice::Model,
    p: &payment::Model,
    event_type: &'static str,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    let data = json!({
        "invoiceId": inv.id, "number": inv.number, "paymentId": p.id, "amount": p.amount,
        "currency": inv.currency, "amountDue": due(inv), "status": format!("{:?}", inv.status).to_lowercase(),
    });
    let entry = AuditEntry {
        event_type,
        resource_type: "billing_invoice",
        resource_id: inv.id.to_string(),
        data: data.clone(),
    };
    audit::append(txn, inv.tenant_id, actor, entry).await?;
    outbox::enqueue(txn, inv.tenant_id, actor, event_type, data).await?;
    Ok(())
}

/// The payments and refunds of invoice `invoice_id`, oldest first.
pub async fn of_invoice(
    db: &impl sea_orm::ConnectionTrait,
    invoice_id: Uuid,
) -> ApiResult<Vec<payment::Model>> {
    use sea_orm::QueryOrder;
    Ok(payment::Entity::find()
        .filter(payment::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?)
}
