//! The current state of a last-writer-wins record: the write with the
//! latest client time.

use sea_orm::entity::prelude::*;

/// A row of `sync_records`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_records")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The event type that writes it.
    pub record_type: String,
    /// Its id, from the payload's record key.
    pub record_id: String,
    /// The winning event.
    pub event_id: Uuid,
    /// The device that sent the winning event.
    pub device_id: Uuid,
    /// The person it is about.
    pub subject_id: Option<Uuid>,
    /// The winning event's client time.
    pub client_time: DateTimeUtc,
    /// The winning payload, as JSON.
    pub payload: String,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
