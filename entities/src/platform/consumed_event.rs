//! Which consumer already handled which event (idempotent consumers).

use sea_orm::entity::prelude::*;

/// A row of `consumed_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consumed_events")]
pub struct Model {
    /// Consumer name, e.g. `notifications`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    /// Event id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// When it was handled.
    pub consumed_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
