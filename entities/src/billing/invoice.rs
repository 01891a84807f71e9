//! An invoice for one period of one subscription. Totals are integers in
//! the currency's minor unit. A draft can be recomputed and corrected
//! until its grace period ends; a finalized invoice never changes again
//! except to be marked paid or void.

use sea_orm::entity::prelude::*;

/// A row of `billing_invoices`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_invoices")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The subscription billed.
    pub subscription_id: Uuid,
    /// Where it is in its life.
    pub status: InvoiceStatus,
    /// ISO 4217 code.
    pub currency: String,
    /// First instant billed.
    pub period_start: DateTimeUtc,
    /// First instant after it.
    pub period_end: DateTimeUtc,
    /// The end of the whole period: later than `period_end` when the
    /// subscription ended early (fees are prorated against the whole).
    pub full_period_end: DateTimeUtc,
    /// `prefix` + sequence, set when finalized.
    pub number: Option<String>,
    /// 1, 2, … per tenant without gaps, set when finalized.
    pub sequence: Option<i64>,
    /// Sum of the lines (discounts included, as negative lines).
    pub subtotal: i64,
    /// The discounts in it (positive), for reading.
    pub discount: i64,
    /// Tax (included in or added to the subtotal).
    pub tax: i64,
    /// The invoice's total, tax included.
    pub total: i64,
    /// Wallet credit used on it at finalization.
    pub credits_applied: i64,
    /// Credit notes issued against it.
    pub credited: i64,
    /// Payments received, less refunds.
    pub paid: i64,
    /// Card charges declined so far (each attempt's idempotency key
    /// counts them).
    pub card_attempts: i32,
    /// When it falls due (finalized + the payment terms).
    pub due_at: Option<DateTimeUtc>,
    /// When dunning noticed it overdue.
    pub overdue_at: Option<DateTimeUtc>,
    /// The tax's name, copied from the rate applied.
    pub tax_name: Option<String>,
    /// The percent applied.
    pub tax_rate: Option<String>,
    /// Whether the lines already included the tax.
    pub tax_inclusive: bool,
    /// Until then a draft may be corrected; then it is finalized.
    pub grace_ends_at: DateTimeUtc,
    /// When it was finalized.
    pub finalized_at: Option<DateTimeUtc>,
    /// When it was paid.
    pub paid_at: Option<DateTimeUtc>,
    /// When it was voided.
    pub voided_at: Option<DateTimeUtc>,
    /// Why.
    pub void_reason: Option<String>,
    /// The rendered invoice (JSON) fixed at finalization.
    pub document: Option<String>,
    /// SHA-256 of `document`.
    pub document_sha256: Option<String>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Where an invoice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum InvoiceStatus {
    /// Being prepared; may still change.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Numbered and immutable; owed.
    #[sea_orm(string_value = "finalized")]
    Finalized,
    /// Settled.
    #[sea_orm(string_value = "paid")]
    Paid,
    /// Cancelled after finalization; keeps its number.
    #[sea_orm(string_value = "void")]
    Void,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
