//! A customer tenant's subscription to a plan, with its current period.

use sea_orm::entity::prelude::*;

/// A row of `billing_subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_subscriptions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The tenant while the subscription lives, `None` once it ended: a
    /// unique column, so a tenant has at most one live subscription.
    pub live_tenant_id: Option<Uuid>,
    /// The code of the plan it is on (its version is in the phases).
    pub plan_code: String,
    /// Where it is in its life.
    pub status: SubscriptionStatus,
    /// When it started.
    pub started_at: DateTimeUtc,
    /// When its trial ends (the fee is not charged before).
    pub trial_ends_at: Option<DateTimeUtc>,
    /// Periods run from here in whole intervals (months are counted from
    /// it, so a subscription started on the 31st renews on the last day
    /// of shorter months and on the 31st again after); it moves only
    /// when a plan change changes the interval.
    pub anchor_at: DateTimeUtc,
    /// The current billing period's first instant.
    pub period_start: DateTimeUtc,
    /// The current billing period's end (exclusive): when it renews.
    pub period_end: DateTimeUtc,
    /// Ends at `period_end` instead of renewing.
    pub cancel_at_period_end: bool,
    /// When it ended.
    pub ended_at: Option<DateTimeUtc>,
    /// Since when its entitlements are withdrawn for an unpaid invoice.
    pub suspended_at: Option<DateTimeUtc>,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Where a subscription is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SubscriptionStatus {
    /// In its free trial: the fee is not charged yet.
    #[sea_orm(string_value = "trialing")]
    Trialing,
    /// Running and billed.
    #[sea_orm(string_value = "active")]
    Active,
    /// Ended.
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
