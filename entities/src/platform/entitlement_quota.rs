//! A spending subgraph's copy of one entitlement of a tenant's plan.

use sea_orm::entity::prelude::*;

/// A row of `entitlement_quotas`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entitlement_quotas")]
pub struct Model {
    /// The customer tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// The entitlement, e.g. `scheduling.appointments_per_month`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The limit; none when the plan grants the key without one.
    pub limit_value: Option<i64>,
    /// Refused beyond the limit (hard) or noticed (soft).
    pub hard: bool,
    /// Spent since `period_start` (per-month limits).
    pub used: i64,
    /// The calendar month (UTC) `used` counts.
    pub period_start: DateTimeUtc,
    /// When passing a soft limit was last noticed.
    pub noticed_at: Option<DateTimeUtc>,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
