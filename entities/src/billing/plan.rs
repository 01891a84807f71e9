//! A version of a plan. A change to a plan is a new version; subscribers
//! keep theirs until moved.

use sea_orm::entity::prelude::*;

/// A row of `billing_plans`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_plans")]
pub struct Model {
    /// Id of this version.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code shared by every version, e.g. `clinic_pro`.
    pub code: String,
    /// 1, 2, …
    pub version: i32,
    /// Display name.
    pub name: String,
    /// How often it bills.
    pub interval: BillingInterval,
    /// ISO 4217 code.
    pub currency: String,
    /// The subscription fee per interval, a decimal as text.
    pub fee: String,
    /// Days free before the first charge.
    pub trial_days: i32,
    /// JSON array: what it grants (features and limits, hard or soft).
    pub entitlements: String,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// How often a plan bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum BillingInterval {
    /// Every month.
    #[sea_orm(string_value = "monthly")]
    Monthly,
    /// Every year.
    #[sea_orm(string_value = "yearly")]
    Yearly,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
