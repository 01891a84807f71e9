//! An accepted event: exactly one row per device and client event id.

use sea_orm::entity::prelude::*;

use super::Stream;

/// A row of `sync_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_events")]
pub struct Model {
    /// Id, assigned by the server (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The device that sent it.
    pub device_id: Uuid,
    /// The device's id for it, its idempotency key.
    pub client_event_id: String,
    /// Its type.
    pub event_type: String,
    /// The schema version it was checked against.
    pub schema_version: i32,
    /// How it is kept.
    pub stream: Stream,
    /// The record it writes (record streams).
    pub record_id: Option<String>,
    /// The person it is about.
    pub subject_id: Option<Uuid>,
    /// The user who recorded it (the device's).
    pub recorded_by: Uuid,
    /// When it happened, by the device's clock.
    pub client_time: DateTimeUtc,
    /// When the server accepted it.
    pub server_time: DateTimeUtc,
    /// The device's clock skew estimated from its batch, in milliseconds.
    pub clock_skew_ms: Option<i64>,
    /// Its payload, as JSON.
    pub payload: String,
    /// A record write that lost to a later one by client time.
    pub superseded: bool,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
