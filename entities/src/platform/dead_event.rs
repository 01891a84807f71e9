//! Events a consumer gave up on after its retries, kept with the error and
//! the whole envelope so an operator can look at them and publish them
//! again, while the consumer goes on.

use sea_orm::entity::prelude::*;

/// A row of `dead_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dead_events")]
pub struct Model {
    /// Consumer group, e.g. `notifications`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    /// Event id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// The event's tenant.
    pub tenant_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// The whole envelope, as JSON text.
    pub envelope: String,
    /// The last error.
    pub error: String,
    /// How many times it was tried.
    pub attempts: i32,
    /// When it was parked.
    pub parked_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
