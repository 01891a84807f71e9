//! One phase of a subscription: the plan version it was on from one
//! instant to another. A phase may start in the future (a change booked
//! for the period's end).

use sea_orm::entity::prelude::*;

/// A row of `billing_subscription_phases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_subscription_phases")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// The plan version.
    pub plan_id: Uuid,
    /// First instant on it.
    pub starts_at: DateTimeUtc,
    /// First instant off it; `None` while open.
    pub ends_at: Option<DateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
