//! Collecting invoices from the customer's saved card through the
//! configured [`CardProcessor`]: by the operator (`chargeInvoice`), or by
//! the sweep once for each invoice it finalizes. No database transaction
//! is held while the processor is called. Each attempt has its own
//! idempotency key (the invoice, its declined attempts so far and the
//! payments and refunds recorded against it), so an attempt whose answer
//! was lost finds its charge when sent again, and the charge is recorded
//! once as a `CARD` payment.
//! A charge that can no longer be recorded (the invoice was paid or
//! credited meanwhile) is refunded at once.

use backbone_entities::billing::{
    invoice::{self, InvoiceStatus},
    payment::{self, PaymentMethod},
};
use backbone_schema::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
};
use uuid::Uuid;

use super::{
    customers,
    invoices::{self, due},
    money::Currency,
    payments,
    processor::{CardCharge, CardProcessor, ProcessorError},
};

/// Charges what finalized invoice `id` still asks to the customer's saved
/// card. `CONFLICT` with reason `NO_CARD` when none is saved,
/// `CARD_DECLINED` when the processor refuses the card (counted: the next
/// attempt is a new one); `SUBGRAPH_UNAVAILABLE` when the processor does
/// not answer (the next attempt sends the same one again).
pub async fn charge_invoice(
    db: &DatabaseConnection,
    processor: &dyn CardProcessor,
    id: Uuid,
    actor: Option<Uuid>,
    suspend_after: Duration,
) -> ApiResult<payment::Model> {
    let inv = invoices::load(db, None, id, false).await?;
    invoices::must_be(&inv, InvoiceStatus::Finalized, "charged")?;
    let owed = due(&inv);
    let customer = customers::profile(db, inv.tenant_id).await?;
    let (Some(card_customer), Some(method)) = (&customer.card_customer, &customer.card_payment_method) else {
        return Err(ApiError::conflict("NO_CARD", "the customer has no card saved on its billing profile"));
    };
    let currency = Currency::parse("currency", &inv.currency)?;
    // Payments and refunds only ever add rows: a key is never met again
    // once money moved (what was paid can return to an earlier figure).
    let moved = payments::of_invoice(db, inv.id).await?.len();
    let key = format!("backbone-invoice-{}-{}-{moved}", inv.id, inv.card_attempts);
    let description = format!("Invoice {}", inv.number.as_deref().unwrap_or_default());
    let charge = CardCharge {
        amount: owed,
        currency: currency.code(),
        customer: card_customer,
        payment_method: method,
        description: &description,
        invoice_id: inv.id,
        idempotency_key: &key,
    };
    let reference = match processor.charge(&charge).await {
        Ok(reference) => reference,
        Err(ProcessorError::Declined { code, message }) => {
            declined(db, &inv, actor, &code).await?;
            let message = format!("the card was declined ({code}): {message}");
            return Err(ApiError::conflict("CARD_DECLINED", message));
        }
        Err(e) => return Err(coded(inv.id, e)),
    };
    let amount = Some(currency.from_minor(owed));
    match payments::record(db, inv.id, amount, PaymentMethod::Card, &reference, actor, suspend_after).await {
        Ok(p) => Ok(p),
        Err(e) => {
            // The money is taken but cannot be recorded: give it back.
            if let Err(undo) = processor.refund(&reference, owed, &format!("{key}-undo")).await {
                tracing::error!(invoice = %inv.id, %reference, error = %undo, "a card charge that could not be recorded was not refunded");
            }
            Err(e)
        }
    }
}

/// The error for a call to the processor that did not go through.
fn coded(invoice: Uuid, e: ProcessorError) -> ApiError {
    match e {
        ProcessorError::Declined { code, message } => {
            ApiError::conflict("CARD_DECLINED", format!("the card was declined ({code}): {message}"))
        }
        ProcessorError::Refused(m) => {
            tracing::warn!(%invoice, reason = %m, "the card processor refused a request");
            ApiError::conflict("CARD_PROCESSOR_REFUSED", format!("the card processor refused: {m}"))
        }
        ProcessorError::Unavailable(m) => {
            tracing::warn!(%invoice, reason = %m, "the card processor did not answer");
            ApiError::Coded {
                code: ErrorCode::SubgraphUnavailable,
                message: "the card processor did not answer; asking again sends the same request, \
                          so nothing is charged or refunded twice"
                    .into(),
            }
        }
    }
}

/// A declined charge: counted (the next attempt is a new one) and audited.
async fn declined(
    db: &DatabaseConnection,
    inv: &invoice::Model,
    actor: Option<Uuid>,
    code: &str,
) -> ApiResult<()> {
    let txn = db.begin().await?;
    invoice::Entity::update_many()
        .col_expr(invoice::Column::CardAttempts, Expr::col(invoice::Column::CardAttempts).add(1))
        .filter(invoice::Column::Id.eq(inv.id))
        .exec(&txn)
        .await?;
    let entry = AuditEntry {
        event_type: "billing.card_declined",
        resource_type: "billing_invoice",
        resource_id: inv.id.to_string(),
        data: json!({"number": inv.number, "amountDue": due(inv), "declineCode": code}),
    };
    audit::append(&txn, inv.tenant_id, actor, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Charges, once each, the finalized invoices still owing that no attempt
/// has been declined for, of customers with a saved card; returns how
/// many were paid. A declined card is left to dunning and the operator;
/// an attempt the processor did not answer is sent again next time.
pub async fn collect_due(
    db: &DatabaseConnection,
    processor: &dyn CardProcessor,
    since: DateTime<Utc>,
    suspend_after: Duration,
) -> ApiResult<usize> {
    let ids: Vec<Uuid> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::Id)
        .filter(invoice::Column::Status.eq(InvoiceStatus::Finalized))
        .filter(invoice::Column::CardAttempts.eq(0))
        .filter(invoice::Column::FinalizedAt.gte(since))
        .filter(invoice::Column::TenantId.in_subquery(customers::with_card()))
        .order_by_asc(invoice::Column::Id)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut paid = 0;
    for id in ids {
        match charge_invoice(db, processor, id, None, suspend_after).await {
            Ok(_) => paid += 1,
            Err(e) => tracing::info!(invoice = %id, error = %e, "automatic card collection did not pay"),
        }
    }
    Ok(paid)
}

/// Refunds `amount` (all that is left when absent) of payment
/// `payment_id`: a card payment through the processor first (the same
/// refund for the same payment, amount and what was left, however often
/// it is asked), then recorded with the processor's reference after the
/// reason.
pub async fn refund(
    db: &DatabaseConnection,
    processor: Option<&dyn CardProcessor>,
    payment_id: Uuid,
    amount: Option<rust_decimal::Decimal>,
    reason: &str,
    actor: Option<Uuid>,
) -> ApiResult<payment::Model> {
    let r = payments::refundable(db, payment_id, amount, false).await?;
    if r.original.method != PaymentMethod::Card {
        return payments::refund(db, payment_id, amount, reason, actor).await;
    }
    let Some(processor) = processor else {
        return Err(ApiError::conflict(
            "NO_CARD_PROCESSOR",
            "no card processor is configured to refund a card payment",
        ));
    };
    let key = format!("backbone-refund-{}-{}-{}", r.original.id, r.left, r.amount);
    let reference = match processor.refund(&r.original.reference, r.amount, &key).await {
        Ok(reference) => reference,
        Err(e) => return Err(coded(r.invoice.id, e)),
    };
    let currency = Currency::parse("currency", &r.invoice.currency)?;
    let recorded = payments::refund(
        db,
        payment_id,
        Some(currency.from_minor(r.amount)),
        &format!("{reason} ({reference})"),
        actor,
    )
    .await;
    if let Err(e) = &recorded {
        tracing::error!(payment = %payment_id, %reference, error = %e, "a card refund was made but not recorded");
    }
    recorded
}
