//! An event type a product registered: one JSON Schema per version.

use sea_orm::entity::prelude::*;

use super::Stream;

/// A row of `sync_event_types`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_event_types")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The event type, `visit.recorded`.
    pub event_type: String,
    /// Its schema version, from 1.
    pub schema_version: i32,
    /// How its events are kept.
    pub stream: Stream,
    /// The JSON Schema a payload must meet, as JSON.
    pub schema: String,
    /// JSON Pointer to the record id in a payload (record streams).
    pub record_key: Option<String>,
    /// JSON Pointer to the id of the person an event is about.
    pub subject_key: Option<String>,
    /// Who registered it.
    pub registered_by: Uuid,
    /// When.
    pub registered_at: DateTimeUtc,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
