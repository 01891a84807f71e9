//! A customer tenant's billing profile: where it is taxed, and the prefix
//! and counter of its invoice numbers.

use sea_orm::entity::prelude::*;

/// A row of `billing_customers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_customers")]
pub struct Model {
    /// The customer tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// ISO 3166-1 alpha-2 country, upper case.
    pub country: Option<String>,
    /// Region within it (a state, a province), as the tax rates name it.
    pub region: Option<String>,
    /// What its invoice numbers start with.
    pub invoice_prefix: String,
    /// The number the next finalized invoice gets. Taken inside the
    /// finalizing transaction, so a rolled-back finalization leaves no gap.
    pub next_number: i64,
    /// The number the next credit note gets (its own sequence).
    pub next_credit_number: i64,
    /// The card processor's customer (`cus_…`), when a card is saved.
    pub card_customer: Option<String>,
    /// The customer's saved payment method at the processor (`pm_…`).
    pub card_payment_method: Option<String>,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
