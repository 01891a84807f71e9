//! API types of coupons, the wallet, credit notes and payments.

use async_graphql::{Enum, ID, InputObject, SimpleObject};
use backbone_entities::billing::{
    coupon, credit_note,
    credit_note::CreditedTo as StoredCreditedTo,
    payment::{self, PaymentKind, PaymentMethod},
    wallet_entry,
    wallet_entry::WalletEntryKind as StoredKind,
};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use subgraph_kit::{ApiError, ApiResult};

use super::decimal;
use crate::domain::{coupons::NewCoupon, invoices, money::Currency};

/// A coupon.
#[derive(SimpleObject)]
pub struct Coupon {
    /// Stable code.
    pub code: String,
    /// Name on invoices.
    pub name: String,
    /// Percent off.
    pub percent_off: Option<String>,
    /// Amount off, in `currency`.
    pub amount_off: Option<String>,
    /// ISO 4217 code of `amountOff`.
    pub currency: Option<String>,
    /// Invoices it applies to once redeemed; absent for every one.
    pub periods: Option<i32>,
}

impl From<coupon::Model> for Coupon {
    fn from(c: coupon::Model) -> Self {
        let amount_off =
            match (c.amount_off, c.currency.as_deref().and_then(|cur| Currency::parse("currency", cur).ok()))
            {
                (Some(a), Some(cur)) => Some(cur.from_minor(a).to_string()),
                _ => None,
            };
        Self {
            code: c.code,
            name: c.name,
            percent_off: c.percent_off,
            amount_off,
            currency: c.currency,
            periods: c.periods,
        }
    }
}

/// A coupon as the operator writes it: `percentOff`, or `amountOff` with
/// its `currency`.
#[derive(InputObject)]
pub struct CouponInput {
    /// Stable code.
    pub code: String,
    /// Name on invoices.
    pub name: String,
    /// Percent off, above 0 and at most 100.
    pub percent_off: Option<String>,
    /// Amount off, in `currency`'s decimals.
    pub amount_off: Option<String>,
    /// ISO 4217 code of `amountOff`.
    pub currency: Option<String>,
    /// Invoices it applies to once redeemed; absent for every one.
    pub periods: Option<i32>,
}

impl TryFrom<CouponInput> for NewCoupon {
    type Error = ApiError;
    fn try_from(i: CouponInput) -> ApiResult<Self> {
        Ok(Self {
            code: i.code,
            name: i.name,
            percent_off: i.percent_off.map(|p| decimal("percentOff", &p)).transpose()?,
            amount_off: i.amount_off.map(|a| decimal("amountOff", &a)).transpose()?,
            currency: i.currency,
            periods: i.periods,
        })
    }
}

subgraph_kit::mirror_enum!(
    /// What moved a wallet.
    WalletEntryKind = StoredKind {
        /// A prepayment.
        TopUp,
        /// A credit note against a paid invoice (or what it credited
        /// beyond what an unpaid one still asked).
        CreditNote,
        /// Credit used on an invoice.
        Applied,
    }
);

/// One entry of a customer's wallet.
#[derive(SimpleObject)]
pub struct WalletEntry {
    /// ISO 4217 code.
    pub currency: String,
    /// The amount; negative when credit was used.
    pub amount: String,
    /// What moved it.
    pub kind: WalletEntryKind,
    /// What the customer reads.
    pub description: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<wallet_entry::Model> for WalletEntry {
    fn from(e: wallet_entry::Model) -> Self {
        let amount = Currency::parse("currency", &e.currency)
            .map_or_else(|_| e.amount.to_string(), |c| c.from_minor(e.amount).to_string());
        Self {
            currency: e.currency,
            amount,
            kind: e.kind.into(),
            description: e.description,
            created_at: e.created_at,
        }
    }
}

/// A customer's wallet in one currency.
#[derive(SimpleObject)]
pub struct WalletBalance {
    /// ISO 4217 code.
    pub currency: String,
    /// What is left to use.
    pub balance: String,
}

/// Where a credit note's amount went.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CreditedTo {
    /// Off what the unpaid invoice still asked.
    Invoice,
    /// Into the customer's wallet (the invoice was paid, or the credit
    /// went beyond what it still asked).
    Wallet,
}

/// A credit note.
#[derive(SimpleObject)]
pub struct CreditNote {
    /// Id.
    pub id: ID,
    /// The invoice prefix, `CN-` and its sequence.
    pub number: String,
    /// The invoice it credits.
    pub invoice_number: Option<String>,
    /// The amount, tax included.
    pub amount: String,
    /// The tax part.
    pub tax: String,
    /// Why.
    pub reason: String,
    /// Where the credit went.
    pub credited_to: CreditedTo,
    /// Issued.
    pub created_at: DateTime<Utc>,
}

impl CreditNote {
    /// The API view of `n` (its invoice read for the number and currency).
    pub async fn of(n: credit_note::Model, db: &impl ConnectionTrait) -> ApiResult<Self> {
        let (invoice_number, currency) = invoice_of(db, n.tenant_id, n.invoice_id).await?;
        Ok(Self {
            id: ID(n.id.to_string()),
            number: n.number,
            invoice_number,
            amount: currency.from_minor(n.amount).to_string(),
            tax: currency.from_minor(n.tax).to_string(),
            reason: n.reason,
            credited_to: match n.credited_to {
                StoredCreditedTo::Invoice => CreditedTo::Invoice,
                StoredCreditedTo::Wallet => CreditedTo::Wallet,
            },
            created_at: n.created_at,
        })
    }
}

/// How a payment came.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PaymentMethod")]
pub enum PaymentMethodInput {
    /// A bank transfer.
    BankTransfer,
    /// Recorded by hand (cash, cheque, settled elsewhere).
    Manual,
    /// Charged to the customer's saved card (`chargeInvoice` only).
    Card,
}

impl From<PaymentMethodInput> for PaymentMethod {
    fn from(m: PaymentMethodInput) -> Self {
        match m {
            PaymentMethodInput::BankTransfer => PaymentMethod::BankTransfer,
            PaymentMethodInput::Manual => PaymentMethod::Manual,
            PaymentMethodInput::Card => PaymentMethod::Card,
        }
    }
}

impl From<PaymentMethod> for PaymentMethodInput {
    fn from(m: PaymentMethod) -> Self {
        match m {
            PaymentMethod::BankTransfer => PaymentMethodInput::BankTransfer,
            PaymentMethod::Manual => PaymentMethodInput::Manual,
            PaymentMethod::Card => PaymentMethodInput::Card,
        }
    }
}

/// A payment received against an invoice, or a refund of one.
#[derive(SimpleObject)]
pub struct Payment {
    /// Id.
    pub id: ID,
    /// The invoice.
    pub invoice_number: Option<String>,
    /// A refund (money given back) rather than a payment.
    pub refund: bool,
    /// The amount.
    pub amount: String,
    /// How it came.
    pub method: PaymentMethodInput,
    /// The reference (for a refund, the reason).
    pub reference: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl Payment {
    /// The API view of `p` (its invoice read for the number and currency).
    pub async fn of(p: payment::Model, db: &impl ConnectionTrait) -> ApiResult<Self> {
        let (invoice_number, currency) = invoice_of(db, p.tenant_id, p.invoice_id).await?;
        Ok(Self {
            id: ID(p.id.to_string()),
            invoice_number,
            refund: p.kind == PaymentKind::Refund,
            amount: currency.from_minor(p.amount).to_string(),
            method: p.method.into(),
            reference: p.reference,
            created_at: p.created_at,
        })
    }
}

/// The number and currency of the tenant's invoice `id`.
async fn invoice_of(
    db: &impl ConnectionTrait,
    tenant_id: uuid::Uuid,
    id: uuid::Uuid,
) -> ApiResult<(Option<String>, Currency)> {
    let invoice = invoices::get(db, Some(tenant_id), id).await?;
    Ok((invoice.row.number, Currency::parse("currency", &invoice.row.currency)?))
}
