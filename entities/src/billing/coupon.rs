//! A coupon: a discount off invoices before tax, a percent or a fixed
//! amount in one currency, for a number of periods or for good.

use sea_orm::entity::prelude::*;

/// A row of `billing_coupons`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_coupons")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code.
    pub code: String,
    /// What invoices call it.
    pub name: String,
    /// Percent off, a decimal as text (or `amount_off`).
    pub percent_off: Option<String>,
    /// Minor units off (or `percent_off`).
    pub amount_off: Option<i64>,
    /// The currency of `amount_off`.
    pub currency: Option<String>,
    /// Invoices it applies to once redeemed; `None` for every one.
    pub periods: Option<i32>,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
