//! A tax rate for customers in a country, or in one region of it.

use sea_orm::entity::prelude::*;

/// A row of `billing_tax_rates`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_tax_rates")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// ISO 3166-1 alpha-2 country, upper case.
    pub country: String,
    /// The region, or empty for the whole country.
    pub region: String,
    /// What invoices call it (`GST`, `VAT`).
    pub name: String,
    /// Percent, a decimal as text (`18`, `7.5`).
    pub rate: String,
    /// Prices already include it (the tax is the part of the total it
    /// makes up) rather than it being added on top.
    pub inclusive: bool,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
