//! Input types.

use async_graphql::{ID, InputObject, Json};
use chrono::{DateTime, Utc};

use super::objects::SyncStream;
use crate::domain::{event_types::NewEventType, ingest};

/// A batch of events from devices.
#[derive(InputObject)]
pub struct SyncBatchInput {
    /// When the device sent the batch, by its clock: the server estimates
    /// the device's clock skew from it.
    pub sent_at: Option<DateTime<Utc>>,
    /// The events, at most `sync.max_batch_events`.
    pub events: Vec<SyncEventInput>,
}

/// One event recorded on a device.
#[derive(InputObject)]
pub struct SyncEventInput {
    /// The device's id for the event, unique per device: sending it again
    /// is answered `DUPLICATE`.
    pub client_event_id: String,
    /// The enrolled device that recorded it.
    pub device_id: ID,
    /// Its type, registered with `registerSyncEventType`.
    #[graphql(name = "type")]
    pub event_type: String,
    /// The schema version it was written for.
    pub schema_version: i32,
    /// When it happened, by the device's clock.
    pub client_time: DateTime<Utc>,
    /// What happened: JSON meeting the type's schema.
    pub payload: Json<serde_json::Value>,
}

impl From<SyncBatchInput> for ingest::Batch {
    fn from(b: SyncBatchInput) -> Self {
        Self {
            sent_at: b.sent_at,
            events: b
                .events
                .into_iter()
                .map(|e| ingest::Incoming {
                    client_event_id: e.client_event_id,
                    device_id: e.device_id.0,
                    event_type: e.event_type,
                    schema_version: e.schema_version,
                    client_time: e.client_time,
                    payload: e.payload.0,
                })
                .collect(),
        }
    }
}

/// An event type to register.
#[derive(InputObject)]
pub struct RegisterSyncEventTypeInput {
    /// `visit.recorded`: lower-case words joined by dots.
    #[graphql(name = "type")]
    pub event_type: String,
    /// From 1; a changed schema is a new version.
    pub schema_version: i32,
    /// How its events are kept.
    pub stream: SyncStream,
    /// The JSON Schema payloads must meet (no remote `$ref`).
    pub schema: Json<serde_json::Value>,
    /// JSON Pointer to the record id in a payload: required for `RECORD`.
    pub record_key: Option<String>,
    /// JSON Pointer to the id of the user an event is about.
    pub subject_key: Option<String>,
}

impl From<RegisterSyncEventTypeInput> for NewEventType {
    fn from(i: RegisterSyncEventTypeInput) -> Self {
        Self {
            event_type: i.event_type,
            schema_version: i.schema_version,
            stream: i.stream.into(),
            schema: i.schema.0,
            record_key: i.record_key,
            subject_key: i.subject_key,
        }
    }
}
