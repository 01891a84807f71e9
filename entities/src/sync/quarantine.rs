//! An event that could not be accepted, held with the reason until a
//! tenant admin fixes and replays it or discards it.

use sea_orm::entity::prelude::*;

/// A row of `sync_quarantine`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_quarantine")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The device id the event named (perhaps not an enrolled one).
    pub device_id: String,
    /// The device's id for it.
    pub client_event_id: String,
    /// Its type, as sent.
    pub event_type: String,
    /// Its schema version, as sent.
    pub schema_version: i32,
    /// When it happened, by the device's clock.
    pub client_time: DateTimeUtc,
    /// The user who sent it.
    pub recorded_by: Uuid,
    /// The person it is about, where that could be read.
    pub subject_id: Option<Uuid>,
    /// Its payload, as JSON (as fixed, once fixed).
    pub payload: String,
    /// Why it was held.
    pub reason: QuarantineReason,
    /// What exactly failed.
    pub detail: String,
    /// Where it is.
    pub status: QuarantineStatus,
    /// When it arrived.
    pub received_at: DateTimeUtc,
    /// Who replayed or discarded it.
    pub resolved_by: Option<Uuid>,
    /// When.
    pub resolved_at: Option<DateTimeUtc>,
    /// The event it became when replayed.
    pub event_id: Option<Uuid>,
}

/// Why an event was held.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum QuarantineReason {
    /// No schema is registered for its type and version.
    #[sea_orm(string_value = "unknown_type")]
    UnknownType,
    /// Its payload fails its schema, or lacks the record or subject key.
    #[sea_orm(string_value = "schema_invalid")]
    SchemaInvalid,
    /// Its device is not enrolled to the sender in this tenant, or revoked.
    #[sea_orm(string_value = "device_not_enrolled")]
    DeviceNotEnrolled,
    /// The sender may not record for the person it is about.
    #[sea_orm(string_value = "subject_not_assigned")]
    SubjectNotAssigned,
}

/// Where a held event is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum QuarantineStatus {
    /// Waiting for an admin.
    #[sea_orm(string_value = "held")]
    Held,
    /// Fixed and accepted.
    #[sea_orm(string_value = "replayed")]
    Replayed,
    /// Dropped by an admin.
    #[sea_orm(string_value = "discarded")]
    Discarded,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
