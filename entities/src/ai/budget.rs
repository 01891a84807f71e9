//! A tenant's token budget: spent plus reserved never exceeds the limit.

use sea_orm::entity::prelude::*;

/// A row of `ai_budgets`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_budgets")]
pub struct Model {
    /// Tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// Tokens allowed in the period.
    pub limit_tokens: i64,
    /// Tokens spent.
    pub used_tokens: i64,
    /// Tokens held by calls in flight.
    pub reserved_tokens: i64,
    /// Tokens providers reported beyond calls' reservations and that were
    /// not charged (the limit held); while above zero no new reservation is
    /// granted. A platform admin's `setAiBudget` clears it.
    pub overrun_tokens: i64,
    /// Start of the period.
    pub period_start: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
