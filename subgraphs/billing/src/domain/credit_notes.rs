//! Credit notes against finalized invoices, all or part, with a reason:
//! numbered in their own gapless sequence per tenant, they take off what
//! an unpaid invoice still asks (any excess, and the whole credit of a
//! paid invoice, goes to the customer's wallet), and publish
//! `credit_note.issued`.

use backbone_entities::billing::{
    credit_note::{self, CreditedTo},
    customer,
    invoice::{self, InvoiceStatus},
    wallet_entry::WalletEntryKind,
};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox, validate,
};
use uuid::Uuid;

use super::{customers, invoices, money::Currency, wallet};

/// The event a credit note publishes.
pub const ISSUED: &str = "credit_note.issued";

/// Issues a credit note of `amount` (tax included; the whole remaining
/// total when absent) against invoice `invoice_id`.
pub async fn issue(
    db: &DatabaseConnection,
    invoice_id: Uuid,
    amount: Option<Decimal>,
    reason: &str,
    actor: Option<Uuid>,
) -> ApiResult<credit_note::Model> {
    let reason = validate::name("reason", reason)?;
    let txn = db.begin().await?;
    let inv = invoices::load(&txn, None, invoice_id, true).await?;
    if !matches!(inv.status, InvoiceStatus::Finalized | InvoiceStatus::Paid) {
        return Err(ApiError::conflict("INVOICE_STATE", "only a finalized or paid invoice can be credited"));
    }
    let currency = Currency::parse("currency", &inv.currency)?;
    let creditable = inv.total - inv.credited;
    let minor = match amount {
        None => creditable,
        Some(a) => {
            if a.round_dp(currency.exponent()) != a {
                return Err(ApiError::bad_input(
                    "amount",
                    format!("{} has {} decimals", currency.code(), currency.exponent()),
                ));
            }
            currency.to_minor(a)?
        }
    };
    if minor <= 0 || minor > creditable {
        return Err(ApiError::bad_input(
            "amount",
            format!(
                "a credit note is above 0 and at most the {} not yet credited",
                currency.from_minor(creditable)
            ),
        ));
    }
    let tax = if inv.total > 0 {
        currency.to_minor(currency.from_minor(minor) * Decimal::from(inv.tax) / Decimal::from(inv.total))?
    } else {
        0
    };
    let customer = customers::profile(&txn, inv.tenant_id).await?;
    let sequence = customer.next_credit_number;
    let mut c: customer::ActiveModel = customer.clone().into();
    c.next_credit_number = Set(sequence + 1);
    c.update(&txn).await?;
    let number = format!("{}CN-{sequence:06}", customer.invoice_prefix);
    let due = (inv.total - inv.credits_applied - inv.credited).max(0);
    let to_wallet = if inv.status == InvoiceStatus::Paid { minor } else { (minor - due).max(0) };
    if to_wallet > 0 {
        let note = format!("Credit note {number}");
        wallet::enter(
            &txn,
            inv.tenant_id,
            currency,
            to_wallet,
            WalletEntryKind::CreditNote,
            Some(inv.id),
            note,
        )
        .await?;
    }
    let note = credit_note::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(inv.tenant_id),
        invoice_id: Set(inv.id),
        number: Set(number.clone()),
        sequence: Set(sequence),
        amount: Set(minor),
        tax: Set(tax),
        reason: Set(reason.clone()),
        credited_to: Set(if to_wallet > 0 { CreditedTo::Wallet } else { CreditedTo::Invoice }),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let mut i: invoice::ActiveModel = inv.clone().into();
    i.credited = Set(inv.credited + minor);
    i.updated_at = Set(Utc::now());
    i.update(&txn).await?;
    let data = json!({
        "creditNoteId": note.id, "number": number, "invoiceId": inv.id, "invoiceNumber": inv.number,
        "amount": minor, "tax": tax, "currency": inv.currency, "reason": reason,
    });
    let entry = AuditEntry {
        event_type: ISSUED,
        resource_type: "billing_credit_note",
        resource_id: note.id.to_string(),
        data: data.clone(),
    };
    audit::append(&txn, inv.tenant_id, actor, entry).await?;
    outbox::enqueue(&txn, inv.tenant_id, actor, ISSUED, data).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(note)
}

/// The credit notes of invoice `invoice_id`, oldest first.
pub async fn of_invoice(db: &impl ConnectionTrait, invoice_id: Uuid) -> ApiResult<Vec<credit_note::Model>> {
    Ok(credit_note::Entity::find()
        .filter(credit_note::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(credit_note::Column::Sequence)
        .all(db)
        .await?)
}
