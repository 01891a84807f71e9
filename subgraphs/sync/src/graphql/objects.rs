//! API types: event types, devices, acknowledgements, records and the
//! quarantine.

use async_graphql::{ID, Json, SimpleObject};
use backbone_entities::sync::{
    Stream as StoredStream, device, event, event_type,
    quarantine::{self, QuarantineReason as StoredReason, QuarantineStatus as StoredStatus},
    record,
};
use chrono::{DateTime, Utc};
use subgraph_kit::mirror_enum;

use crate::domain::{
    changes,
    ingest::{self, Ack},
};

mirror_enum!(
    /// How events of a type are kept.
    SyncStream = StoredStream { Append, Record }
);
mirror_enum!(
    /// Why an event is held.
    SyncQuarantineReason = StoredReason { UnknownType, SchemaInvalid, DeviceNotEnrolled, SubjectNotAssigned }
);
mirror_enum!(
    /// Where a held event is.
    SyncQuarantineStatus = StoredStatus { Held, Replayed, Discarded }
);

fn json(text: &str) -> Json<serde_json::Value> {
    Json(serde_json::from_str(text).unwrap_or(serde_json::Value::Null))
}

/// A registered event type.
#[derive(SimpleObject)]
pub struct SyncEventType {
    /// Its id.
    pub id: ID,
    /// `visit.recorded`.
    #[graphql(name = "type")]
    pub event_type: String,
    /// Its schema version.
    pub schema_version: i32,
    /// How its events are kept.
    pub stream: SyncStream,
    /// Its JSON Schema.
    pub schema: Json<serde_json::Value>,
    /// JSON Pointer to the record id.
    pub record_key: Option<String>,
    /// JSON Pointer to the id of the user an event is about.
    pub subject_key: Option<String>,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
}

impl From<event_type::Model> for SyncEventType {
    fn from(t: event_type::Model) -> Self {
        Self {
            id: t.id.into(),
            event_type: t.event_type,
            schema_version: t.schema_version,
            stream: t.stream.into(),
            schema: json(&t.schema),
            record_key: t.record_key,
            subject_key: t.subject_key,
            registered_at: t.registered_at,
        }
    }
}

/// A device enrolled to a user.
#[derive(SimpleObject)]
pub struct SyncDevice {
    /// Its id: what its events carry as `deviceId`.
    pub id: ID,
    /// The user it acts for.
    pub user_id: ID,
    /// Its name.
    pub name: String,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its last batch arrived.
    pub last_batch_at: Option<DateTime<Utc>>,
    /// How far its clock ran ahead of the server's at its last batch, in
    /// milliseconds (negative: behind).
    pub clock_skew_ms: Option<i64>,
    /// The cursor its last pull of changes was handed.
    pub last_cursor: Option<String>,
}

impl From<device::Model> for SyncDevice {
    fn from(d: device::Model) -> Self {
        Self {
            id: d.id.into(),
            user_id: d.user_id.into(),
            name: d.name,
            enrolled_at: d.enrolled_at,
            revoked_at: d.revoked_at,
            last_batch_at: d.last_batch_at,
            clock_skew_ms: d.clock_skew_ms,
            last_cursor: d.last_cursor,
        }
    }
}

/// What became of an event.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SyncAckStatus {
    /// Stored now.
    Accepted,
    /// Stored before, or earlier in the same batch.
    Duplicate,
    /// Not stored as an event (held in the quarantine when `quarantineId`
    /// is set).
    Rejected,
}

/// One event's acknowledgement.
#[derive(SimpleObject)]
pub struct SyncAck {
    /// The event's client id, as sent.
    pub client_event_id: String,
    /// Its device id, as sent.
    pub device_id: ID,
    /// What became of it.
    pub status: SyncAckStatus,
    /// Its server id: new when accepted, the first one when a duplicate.
    pub event_id: Option<ID>,
    /// When the server accepted it.
    pub server_time: Option<DateTime<Utc>>,
    /// Rejected: the error code (`BAD_USER_INPUT`, `RATE_LIMITED`).
    pub code: Option<String>,
    /// Rejected: the stable reason (`SCHEMA_INVALID`, `UNKNOWN_TYPE`,
    /// `DEVICE_NOT_ENROLLED`, `SUBJECT_NOT_ASSIGNED`, `DISCARDED`,
    /// `INVALID_EVENT`, `PAYLOAD_TOO_LARGE`, `CLIENT_TIME_IN_FUTURE`,
    /// `DEVICE_RATE_LIMITED`).
    pub reason: Option<String>,
    /// Rejected: what exactly, for people.
    pub message: Option<String>,
    /// Rejected and held: the quarantine entry an admin can fix.
    pub quarantine_id: Option<ID>,
}

impl From<ingest::Acked> for SyncAck {
    fn from(a: ingest::Acked) -> Self {
        let mut ack = Self {
            client_event_id: a.client_event_id,
            device_id: ID(a.device_id),
            status: SyncAckStatus::Rejected,
            event_id: None,
            server_time: None,
            code: None,
            reason: None,
            message: None,
            quarantine_id: None,
        };
        match a.ack {
            Ack::Accepted { event_id, server_time } | Ack::Duplicate { event_id, server_time } => {
                ack.status = if matches!(a.ack, Ack::Accepted { .. }) {
                    SyncAckStatus::Accepted
                } else {
                    SyncAckStatus::Duplicate
                };
                ack.event_id = Some(event_id.into());
                ack.server_time = Some(server_time);
            }
            Ack::Rejected(r) => {
                ack.code = Some(r.code.as_str().to_owned());
                ack.reason = Some(r.reason.to_owned());
                ack.message = Some(r.message);
                ack.quarantine_id = r.quarantine_id.map(Into::into);
            }
        }
        ack
    }
}

/// A batch's answer.
#[derive(SimpleObject)]
pub struct SyncBatchResult {
    /// One per event, in the batch's order.
    pub acks: Vec<SyncAck>,
    /// How many were accepted now.
    pub accepted: i32,
    /// How many were stored before.
    pub duplicates: i32,
    /// How many were rejected (held or not).
    pub rejected: i32,
    /// When the server received the batch.
    pub server_time: DateTime<Utc>,
    /// The device clock skew estimated from `sentAt`, in milliseconds.
    pub clock_skew_ms: Option<i64>,
}

impl From<ingest::Outcome> for SyncBatchResult {
    fn from(o: ingest::Outcome) -> Self {
        let acks: Vec<SyncAck> = o.acks.into_iter().map(Into::into).collect();
        let count = |s| acks.iter().filter(|a| a.status == s).count() as i32;
        Self {
            accepted: count(SyncAckStatus::Accepted),
            duplicates: count(SyncAckStatus::Duplicate),
            rejected: count(SyncAckStatus::Rejected),
            acks,
            server_time: o.server_time,
            clock_skew_ms: o.clock_skew_ms,
        }
    }
}

/// An accepted event.
#[derive(SimpleObject)]
pub struct SyncedEvent {
    /// Its server id.
    pub id: ID,
    /// Its type.
    #[graphql(name = "type")]
    pub event_type: String,
    /// The device that sent it.
    pub device_id: ID,
    /// The device's id for it.
    pub client_event_id: String,
    /// Who recorded it.
    pub recorded_by: ID,
    /// Whom it is about.
    pub subject_id: Option<ID>,
    /// The record it writes.
    pub record_id: Option<String>,
    /// When it happened, by the device's clock.
    pub client_time: DateTime<Utc>,
    /// When the server accepted it.
    pub server_time: DateTime<Utc>,
    /// A record write that lost to a later one.
    pub superseded: bool,
    /// Its payload.
    pub payload: Json<serde_json::Value>,
}

impl From<event::Model> for SyncedEvent {
    fn from(e: event::Model) -> Self {
        Self {
            id: e.id.into(),
            event_type: e.event_type,
            device_id: e.device_id.into(),
            client_event_id: e.client_event_id,
            recorded_by: e.recorded_by.into(),
            subject_id: e.subject_id.map(Into::into),
            record_id: e.record_id,
            client_time: e.client_time,
            server_time: e.server_time,
            superseded: e.superseded,
            payload: json(&e.payload),
        }
    }
}

/// A last-writer-wins record's current state.
#[derive(SimpleObject)]
pub struct SyncRecord {
    /// The event type that writes it.
    #[graphql(name = "type")]
    pub record_type: String,
    /// Its id.
    pub id: String,
    /// The winning event.
    pub event_id: ID,
    /// The device that sent it.
    pub device_id: ID,
    /// Whom it is about.
    pub subject_id: Option<ID>,
    /// The winning event's client time.
    pub client_time: DateTime<Utc>,
    /// Its state.
    pub payload: Json<serde_json::Value>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<record::Model> for SyncRecord {
    fn from(r: record::Model) -> Self {
        Self {
            record_type: r.record_type,
            id: r.record_id,
            event_id: r.event_id.into(),
            device_id: r.device_id.into(),
            subject_id: r.subject_id.map(Into::into),
            client_time: r.client_time,
            payload: json(&r.payload),
            updated_at: r.updated_at,
        }
    }
}

/// What changed for a device since its last pull.
#[derive(SimpleObject)]
pub struct SyncChanges {
    /// Other devices' events in append streams about the people the
    /// device's user records for, oldest accepted first.
    pub events: Vec<SyncedEvent>,
    /// Records about those people whose state another device changed,
    /// least recently changed first.
    pub records: Vec<SyncRecord>,
    /// Send it as `since` next time (opaque).
    pub cursor: String,
    /// More changes wait: pull again at once.
    pub has_more: bool,
}

impl From<changes::Changes> for SyncChanges {
    fn from(c: changes::Changes) -> Self {
        Self {
            events: c.events.into_iter().map(Into::into).collect(),
            records: c.records.into_iter().map(Into::into).collect(),
            cursor: c.cursor.text(),
            has_more: c.has_more,
        }
    }
}

/// An event held in the quarantine.
#[derive(SimpleObject)]
pub struct QuarantinedEvent {
    /// Its quarantine id.
    pub id: ID,
    /// The device id it named.
    pub device_id: String,
    /// The device's id for it.
    pub client_event_id: String,
    /// Its type, as sent.
    #[graphql(name = "type")]
    pub event_type: String,
    /// Its schema version, as sent.
    pub schema_version: i32,
    /// When it happened, by the device's clock.
    pub client_time: DateTime<Utc>,
    /// Who sent it.
    pub recorded_by: ID,
    /// Whom it is about, when that could be read.
    pub subject_id: Option<ID>,
    /// Its payload (as fixed, once replayed).
    pub payload: Json<serde_json::Value>,
    /// Why it is held.
    pub reason: SyncQuarantineReason,
    /// What exactly failed.
    pub detail: String,
    /// Where it is.
    pub status: SyncQuarantineStatus,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// When it was replayed or discarded.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The event it became when replayed.
    pub event_id: Option<ID>,
}

impl From<quarantine::Model> for QuarantinedEvent {
    fn from(q: quarantine::Model) -> Self {
        Self {
            id: q.id.into(),
            device_id: q.device_id,
            client_event_id: q.client_event_id,
            event_type: q.event_type,
            schema_version: q.schema_version,
            client_time: q.client_time,
            recorded_by: q.recorded_by.into(),
            subject_id: q.subject_id.map(Into::into),
            payload: json(&q.payload),
            reason: q.reason.into(),
            detail: q.detail,
            status: q.status.into(),
            received_at: q.received_at,
            resolved_at: q.resolved_at,
            event_id: q.event_id.map(Into::into),
        }
    }
}
