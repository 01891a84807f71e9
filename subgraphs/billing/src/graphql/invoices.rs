//! API types of invoices, billing profiles and tax rates.

use async_graphql::{ID, InputObject, Json, SimpleObject};
use backbone_entities::billing::{
    customer, invoice::InvoiceStatus as StoredStatus, invoice_line::LineKind as StoredKind, tax_rate,
};
use chrono::{DateTime, Utc};
use subgraph_kit::ApiResult;

use super::objects::ChargePart;
use crate::domain::{
    charges::Priced, customers::Profile, invoices::Invoice as StoredInvoice, money::Currency,
};

subgraph_kit::mirror_enum!(
    /// Where an invoice is in its life.
    InvoiceStatus = StoredStatus {
        /// Being prepared; may still change during its grace period.
        Draft,
        /// Numbered and immutable; owed.
        Finalized,
        /// Settled.
        Paid,
        /// Cancelled after finalization; keeps its number.
        Void,
    }
);

subgraph_kit::mirror_enum!(
    /// What an invoice line charges for.
    InvoiceLineKind = StoredKind {
        /// A plan's fee for (part of) the period.
        Fee,
        /// A usage charge.
        Usage,
        /// Usage of an earlier period reported after its invoice was
        /// finalized: what that period's usage now prices to, less what
        /// was charged for it.
        LateUsage,
        /// A coupon's discount (negative).
        Discount,
        /// A correction made during the grace period.
        Adjustment,
    }
);

/// One line of an invoice.
#[derive(SimpleObject)]
pub struct InvoiceLine {
    /// What it charges for.
    pub kind: InvoiceLineKind,
    /// What the customer reads.
    pub description: String,
    /// Units (usage) or the share of the period (a fee).
    pub quantity: String,
    /// The amount, rounded to the currency's minor unit.
    pub amount: String,
    /// First instant it covers.
    pub from: DateTime<Utc>,
    /// First instant after it.
    pub to: DateTime<Utc>,
    /// How a usage charge was priced: each tier's units, price and part.
    pub parts: Vec<ChargePart>,
}

/// An invoice for one period of the tenant's subscription. Amounts are
/// decimal text in the currency.
#[derive(SimpleObject)]
pub struct Invoice {
    /// Id.
    pub id: ID,
    /// Prefix and sequence, once finalized.
    pub number: Option<String>,
    /// Where it is in its life.
    pub status: InvoiceStatus,
    /// ISO 4217 code.
    pub currency: String,
    /// First instant billed.
    pub period_start: DateTime<Utc>,
    /// First instant after it.
    pub period_end: DateTime<Utc>,
    /// Its lines.
    pub lines: Vec<InvoiceLine>,
    /// The sum of the lines, discounts taken off.
    pub subtotal: String,
    /// What coupons took off (before tax).
    pub discount: String,
    /// The tax, added to the subtotal or (inclusive) part of it.
    pub tax: String,
    /// Its name and percent.
    pub tax_name: Option<String>,
    /// Percent.
    pub tax_rate: Option<String>,
    /// Whether the lines include the tax.
    pub tax_inclusive: bool,
    /// The invoice's total, tax included.
    pub total: String,
    /// Wallet credit used on it (after tax).
    pub credits_applied: String,
    /// Credit notes issued against it.
    pub credited: String,
    /// Payments received, less refunds.
    pub paid: String,
    /// When it falls due.
    pub due_at: Option<DateTime<Utc>>,
    /// When dunning found it overdue.
    pub overdue_at: Option<DateTime<Utc>>,
    /// What the customer still owes: the total less credit used,
    /// credited and paid (never below zero).
    pub amount_due: String,
    /// A draft may be corrected until then.
    pub grace_ends_at: DateTime<Utc>,
    /// When finalized.
    pub finalized_at: Option<DateTime<Utc>>,
    /// When paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// When voided, and why.
    pub voided_at: Option<DateTime<Utc>>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// The document fixed at finalization (JSON).
    pub document: Option<Json<serde_json::Value>>,
    /// SHA-256 of the document's bytes.
    pub document_sha256: Option<String>,
}

impl Invoice {
    /// The API view of `i`.
    pub fn of(i: StoredInvoice) -> ApiResult<Self> {
        let currency = Currency::parse("currency", &i.row.currency)?;
        let money = |minor: i64| currency.from_minor(minor).to_string();
        let lines = i
            .lines
            .into_iter()
            .map(|l| {
                let parts = serde_json::from_str::<Priced>(&l.detail).map(|p| p.parts).unwrap_or_default();
                InvoiceLine {
                    kind: l.kind.into(),
                    description: l.description,
                    quantity: l.quantity,
                    amount: money(l.amount),
                    from: l.from_at,
                    to: l.to_at,
                    parts: parts.into_iter().map(ChargePart::from).collect(),
                }
            })
            .collect();
        let due = crate::domain::invoices::due(&i.row);
        let r = i.row;
        Ok(Self {
            id: ID(r.id.to_string()),
            number: r.number,
            status: r.status.into(),
            currency: r.currency,
            period_start: r.period_start,
            period_end: r.period_end,
            lines,
            subtotal: money(r.subtotal),
            discount: money(r.discount),
            credits_applied: money(r.credits_applied),
            credited: money(r.credited),
            paid: money(r.paid),
            due_at: r.due_at,
            overdue_at: r.overdue_at,
            amount_due: money(due),
            tax: money(r.tax),
            tax_name: r.tax_name,
            tax_rate: r.tax_rate,
            tax_inclusive: r.tax_inclusive,
            total: money(r.total),
            grace_ends_at: r.grace_ends_at,
            finalized_at: r.finalized_at,
            paid_at: r.paid_at,
            voided_at: r.voided_at,
            void_reason: r.void_reason,
            document: r.document.and_then(|d| serde_json::from_str(&d).ok()).map(Json),
            document_sha256: r.document_sha256,
        })
    }
}

/// A customer's billing profile.
#[derive(SimpleObject)]
pub struct BillingProfile {
    /// The tenant.
    pub tenant_id: ID,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Region within it.
    pub region: Option<String>,
    /// What its invoice numbers start with.
    pub invoice_prefix: String,
    /// The card processor's customer, when a card is saved.
    pub card_customer: Option<String>,
    /// The saved payment method at the processor.
    pub card_payment_method: Option<String>,
}

impl From<customer::Model> for BillingProfile {
    fn from(c: customer::Model) -> Self {
        Self {
            tenant_id: ID(c.tenant_id.to_string()),
            country: c.country,
            region: c.region,
            invoice_prefix: c.invoice_prefix,
            card_customer: c.card_customer,
            card_payment_method: c.card_payment_method,
        }
    }
}

/// Changes to a billing profile (absent fields stay).
#[derive(InputObject)]
pub struct BillingProfileInput {
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Region within it, as the tax rates name it.
    pub region: Option<String>,
    /// 1 to 12 letters, digits, `-` or `/`.
    pub invoice_prefix: Option<String>,
    /// The card processor's customer (`cus_…`), collected by the
    /// processor's own page (card numbers never reach the platform);
    /// empty removes the saved card. Set with `cardPaymentMethod`.
    pub card_customer: Option<String>,
    /// The customer's saved payment method at the processor (`pm_…`).
    pub card_payment_method: Option<String>,
}

impl From<BillingProfileInput> for Profile {
    fn from(i: BillingProfileInput) -> Self {
        Self {
            country: i.country,
            region: i.region,
            invoice_prefix: i.invoice_prefix,
            card_customer: i.card_customer,
            card_payment_method: i.card_payment_method,
        }
    }
}

/// A tax rate for a country or a region of it.
#[derive(SimpleObject)]
pub struct TaxRate {
    /// Country.
    pub country: String,
    /// Region, absent for the whole country.
    pub region: Option<String>,
    /// Name on invoices.
    pub name: String,
    /// Percent.
    pub rate: String,
    /// Prices include it.
    pub inclusive: bool,
}

impl From<tax_rate::Model> for TaxRate {
    fn from(t: tax_rate::Model) -> Self {
        Self {
            country: t.country,
            region: Some(t.region).filter(|r| !r.is_empty()),
            name: t.name,
            rate: t.rate,
            inclusive: t.inclusive,
        }
    }
}

/// A tax rate as the operator sets it.
#[derive(InputObject)]
pub struct TaxRateInput {
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// A region of it (absent: the whole country).
    pub region: Option<String>,
    /// Name on invoices (`GST`, `VAT`).
    pub name: String,
    /// Percent, a decimal as text (`18`, `7.5`).
    pub rate: String,
    /// Prices include it (the tax is the part of the total it makes up).
    pub inclusive: bool,
}
