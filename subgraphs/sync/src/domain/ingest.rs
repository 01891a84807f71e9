//! Ingestion: a batch of events from devices, each acknowledged on its
//! own — accepted (new server id and time), duplicate (the id it got the
//! first time) or rejected (a coded reason; held in the quarantine when
//! an admin could fix it). One transaction per batch: the devices it names
//! are locked (so two copies of a batch, sent at once, are accepted once),
//! accepted events, record states and the outbox rows that carry them to
//! the bus (`sync.<type>`, envelope id = event id) commit together.

use std::collections::{HashMap, HashSet};

use backbone_entities::sync::{
    Stream, event,
    quarantine::{QuarantineReason, QuarantineStatus},
};
use backbone_schema::ErrorCode;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use serde_json::{Value, json};
use subgraph_kit::{ApiResult, outbox};
use uuid::Uuid;

use super::{
    Services,
    checks::{self, Candidate, Held, Passed, Sender},
    devices::{self, Standing},
    quarantine::{self, Hold},
    records,
};

/// Longest client event id and device id.
const MAX_ID_LEN: usize = 128;

/// An event as a device sent it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The device's id for it, unique per device: the idempotency key.
    pub client_event_id: String,
    /// The device that recorded it.
    pub device_id: String,
    /// Its type.
    pub event_type: String,
    /// The schema version it was written for.
    pub schema_version: i32,
    /// When it happened, by the device's clock.
    pub client_time: DateTime<Utc>,
    /// What happened.
    pub payload: Value,
}

/// A batch as a device sent it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// When the device sent it, by its clock: the skew estimate.
    pub sent_at: Option<DateTime<Utc>>,
    /// Its events.
    pub events: Vec<Incoming>,
}

/// What became of one event.
#[derive(Debug, Clone)]
pub enum Ack {
    /// Stored now.
    Accepted {
        /// Its server id.
        event_id: Uuid,
        /// When.
        server_time: DateTime<Utc>,
    },
    /// Stored before (or earlier in this batch).
    Duplicate {
        /// The id it got then.
        event_id: Uuid,
        /// When.
        server_time: DateTime<Utc>,
    },
    /// Not stored as an event.
    Rejected(Rejection),
}

/// Why an event was not accepted.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The error code.
    pub code: ErrorCode,
    /// The stable reason.
    pub reason: &'static str,
    /// For people.
    pub message: String,
    /// Where it is held, when it is.
    pub quarantine_id: Option<Uuid>,
}

/// One event's acknowledgement.
#[derive(Debug, Clone)]
pub struct Acked {
    /// Its client event id, as sent.
    pub client_event_id: String,
    /// Its device id, as sent.
    pub device_id: String,
    /// What became of it.
    pub ack: Ack,
}

/// A batch's answer.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One per event, in the batch's order.
    pub acks: Vec<Acked>,
    /// When the server received it.
    pub server_time: DateTime<Utc>,
    /// The skew estimated from the batch's `sent_at`.
    pub clock_skew_ms: Option<i64>,
}

/// An event's fields as [`new_event`] needs them.
#[derive(Debug, Clone)]
pub struct Sent<'a> {
    /// The device's id for it.
    pub client_event_id: String,
    /// Its type.
    pub event_type: String,
    /// Its schema version.
    pub schema_version: i32,
    /// Its client time.
    pub client_time: DateTime<Utc>,
    /// Its payload.
    pub payload: &'a Value,
}

fn rejected(code: ErrorCode, reason: &'static str, message: impl Into<String>) -> Ack {
    Ack::Rejected(Rejection { code, reason, message: message.into(), quarantine_id: None })
}

fn sane_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Why `payload` is over `sync.max_payload_bytes`, when it is: for
/// uploads and for an admin's fixed payload alike.
pub(crate) fn oversized(s: &Services, payload: &Value) -> Option<String> {
    let size = payload.to_string().len();
    (size > s.settings.max_payload_bytes).then(|| {
        format!("the payload is {size} bytes; at most {} are accepted", s.settings.max_payload_bytes)
    })
}

/// What is wrong with an event's envelope, before anything is looked up.
fn malformed(s: &Services, e: &Incoming, now: DateTime<Utc>, skew: Duration) -> Option<Ack> {
    let bad = |reason, message: String| Some(rejected(ErrorCode::BadUserInput, reason, message));
    if !sane_id(&e.client_event_id) {
        return bad("INVALID_EVENT", "clientEventId: 1 to 128 of A-Z a-z 0-9 - _ . :".into());
    }
    if !sane_id(&e.device_id) {
        return bad("INVALID_EVENT", "deviceId: 1 to 128 of A-Z a-z 0-9 - _ . :".into());
    }
    if e.event_type.is_empty() || e.event_type.len() > 100 || !e.event_type.is_ascii() {
        return bad("INVALID_EVENT", "type: 1 to 100 ASCII characters".into());
    }
    if !(1..=100_000).contains(&e.schema_version) {
        return bad("INVALID_EVENT", "schemaVersion: from 1".into());
    }
    if let Some(message) = oversized(s, &e.payload) {
        return bad("PAYLOAD_TOO_LARGE", message);
    }
    if e.client_time - skew > now + Duration::seconds(s.settings.max_future_seconds) {
        return bad(
            "CLIENT_TIME_IN_FUTURE",
            "clientTime is ahead of the server's clock, even allowing for the device's skew".into(),
        );
    }
    None
}

/// Accepts what it can of `batch` from `sender` (whose devices its events
/// name): one [`Acked`] per event, in order.
pub async fn accept(s: &Services, sender: Sender, batch: Batch) -> ApiResult<Outcome> {
    let now = super::now();
    let skew_ms = batch.sent_at.map(|sent| (sent - now).num_milliseconds());
    let skew = Duration::milliseconds(skew_ms.unwrap_or(0));
    let mut events = batch.events;
    // Kept to the microsecond, as stored: comparisons by client time must
    // not depend on digits the database drops.
    for e in &mut events {
        e.client_time = e.client_time.trunc_subsecs(6);
    }
    let mut acks: Vec<Option<Ack>> = events.iter().map(|e| malformed(s, e, now, skew)).collect();

    // A key sent twice in one batch: the later copies answer as the first.
    let mut first_of: HashMap<(&str, &str), usize> = HashMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if acks[i].is_none() {
            match first_of.get(&(e.device_id.as_str(), e.client_event_id.as_str())) {
                Some(&first) => copies.push((i, first)),
                None => {
                    first_of.insert((&e.device_id, &e.client_event_id), i);
                }
            }
        }
    }
    let open: Vec<usize> =
        first_of.values().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();

    let txn = s.db.begin().await?;
    let device_ids: Vec<Uuid> = {
        let set: std::collections::BTreeSet<Uuid> =
            open.iter().filter_map(|&i| Uuid::parse_str(&events[i].device_id).ok()).collect();
        set.into_iter().collect()
    };
    let standing = devices::admit(
        &txn,
        sender.tenant_id,
        sender.user_id,
        &device_ids,
        now,
        skew_ms,
        s.settings.device_batches_per_minute,
    )
    .await?;
    // Accepted rows are stamped once the devices are locked, so the time
    // between stamp and commit (which pulls of changes wait out, see
    // `changes`) does not include waiting for another batch of a device.
    let stamped = super::now();

    // Seen before: accepted, or held.
    let stored = stored(&txn, sender.tenant_id, &device_ids, open.iter().map(|&i| &events[i])).await?;
    let keys: Vec<(String, String)> =
        open.iter().map(|&i| (events[i].device_id.clone(), events[i].client_event_id.clone())).collect();
    let held_before = quarantine::existing(&txn, sender.tenant_id, &keys).await?;

    let mut to_judge = Vec::new();
    let mut holds: Vec<(usize, Held)> = Vec::new();
    for &i in &open {
        let e = &events[i];
        let device = Uuid::parse_str(&e.device_id).ok();
        if let Some((id, at)) = device.and_then(|d| stored.get(&(d, e.client_event_id.clone()))) {
            acks[i] = Some(Ack::Duplicate { event_id: *id, server_time: *at });
        } else if let Some(q) = held_before.get(&(e.device_id.clone(), e.client_event_id.clone())) {
            acks[i] = Some(from_quarantine(q));
        } else {
            match device.and_then(|d| standing.get(&d)) {
                Some(Standing::Enrolled) => to_judge.push(i),
                Some(Standing::RateLimited) => {
                    acks[i] = Some(rejected(
                        ErrorCode::RateLimited,
                        "DEVICE_RATE_LIMITED",
                        format!(
                            "the device sent more than {} batches this minute",
                            s.settings.device_batches_per_minute
                        ),
                    ));
                }
                None => holds.push((
                    i,
                    Held {
                        reason: QuarantineReason::DeviceNotEnrolled,
                        detail: format!(
                            "device {} is not enrolled to the sender in this tenant",
                            e.device_id
                        ),
                        subject_id: None,
                    },
                )),
            }
        }
    }

    let candidates: Vec<Candidate<'_>> = to_judge
        .iter()
        .map(|&i| Candidate {
            event_type: &events[i].event_type,
            schema_version: events[i].schema_version,
            payload: &events[i].payload,
        })
        .collect();
    let verdicts = checks::judge(&txn, s, sender, &candidates).await?;
    let mut accepted = Vec::new();
    let mut accepted_at = Vec::new();
    for (&i, verdict) in to_judge.iter().zip(verdicts) {
        match verdict {
            Ok(passed) => {
                let e = &events[i];
                let device = Uuid::parse_str(&e.device_id).unwrap_or_default();
                accepted.push(new_event(
                    sender.tenant_id,
                    device,
                    sender.user_id,
                    sent(e),
                    passed,
                    stamped,
                    skew_ms,
                ));
                accepted_at.push(i);
            }
            Err(held) => holds.push((i, held)),
        }
    }
    store(&txn, sender.tenant_id, &mut accepted).await?;
    for (i, e) in accepted_at.into_iter().zip(&accepted) {
        acks[i] = Some(Ack::Accepted { event_id: e.id, server_time: e.server_time });
    }

    let to_hold: Vec<Hold> = holds
        .iter()
        .map(|(i, held)| {
            let e = &events[*i];
            Hold {
                device_id: e.device_id.clone(),
                client_event_id: e.client_event_id.clone(),
                event_type: e.event_type.clone(),
                schema_version: e.schema_version,
                client_time: e.client_time,
                payload: e.payload.to_string(),
                held: held.clone(),
            }
        })
        .collect();
    let kept = quarantine::hold(&txn, sender.tenant_id, sender.user_id, to_hold, now).await?;
    for (i, _) in &holds {
        let e = &events[*i];
        acks[*i] = kept.get(&(e.device_id.clone(), e.client_event_id.clone())).map(from_quarantine);
    }
    subgraph_kit::db::commit(txn).await?;

    for (copy, first) in copies {
        acks[copy] = acks[first].clone().map(|ack| match ack {
            Ack::Accepted { event_id, server_time } => Ack::Duplicate { event_id, server_time },
            other => other,
        });
    }
    let acks = events
        .into_iter()
        .zip(acks)
        .map(|(e, ack)| Acked {
            ack: ack.unwrap_or_else(|| Ack::Rejected(unjudged_rejection())),
            client_event_id: e.client_event_id,
            device_id: e.device_id,
        })
        .collect();
    Ok(Outcome { acks, server_time: now, clock_skew_ms: skew_ms })
}

fn sent(e: &Incoming) -> Sent<'_> {
    Sent {
        client_event_id: e.client_event_id.clone(),
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        client_time: e.client_time,
        payload: &e.payload,
    }
}

/// The answer for an event the quarantine has seen.
fn from_quarantine(q: &backbone_entities::sync::quarantine::Model) -> Ack {
    match q.status {
        QuarantineStatus::Discarded => Ack::Rejected(Rejection {
            code: ErrorCode::BadUserInput,
            reason: "DISCARDED",
            message: "an admin discarded this event".into(),
            quarantine_id: Some(q.id),
        }),
        // A replayed row's event is found first, by its key; the row is
        // answered as held only if that event was erased since.
        QuarantineStatus::Held | QuarantineStatus::Replayed => Ack::Rejected(Rejection {
            code: ErrorCode::BadUserInput,
            reason: quarantine::code(q.reason),
            message: format!("held in the quarantine: {}", q.detail),
            quarantine_id: Some(q.id),
        }),
    }
}

/// Accepted events with these keys, by (device, client event id).
async fn stored<'a>(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    devices: &[Uuid],
    events: impl Iterator<Item = &'a Incoming>,
) -> ApiResult<HashMap<(Uuid, String), (Uuid, DateTime<Utc>)>> {
    let ids: HashSet<String> = events.map(|e| e.client_event_id.clone()).collect();
    if devices.is_empty() || ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid, String, DateTime<Utc>)> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::DeviceId)
        .column(event::Column::ClientEventId)
        .column(event::Column::ServerTime)
        .filter(event::Column::TenantId.eq(tenant_id))
        .filter(event::Column::DeviceId.is_in(devices.iter().copied()))
        .filter(event::Column::ClientEventId.is_in(ids))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows.into_iter().map(|(id, device, key, at)| ((device, key), (id, at))).collect())
}

/// An accepted event's row.
#[allow(clippy::too_many_arguments)]
pub fn new_event(
    tenant_id: Uuid,
    device_id: Uuid,
    recorded_by: Uuid,
    e: Sent<'_>,
    passed: Passed,
    now: DateTime<Utc>,
    clock_skew_ms: Option<i64>,
) -> event::Model {
    event::Model {
        id: Uuid::now_v7(),
        tenant_id,
        device_id,
        client_event_id: e.client_event_id,
        event_type: e.event_type,
        schema_version: e.schema_version,
        stream: passed.stream,
        record_id: passed.record_id,
        subject_id: passed.subject_id,
        recorded_by,
        client_time: e.client_time,
        server_time: now,
        clock_skew_ms,
        payload: e.payload.to_string(),
        superseded: false,
    }
}

/// Stores accepted events: record states first (marking the writes that
/// lose), then the events, then one outbox row each.
pub async fn store(txn: &DatabaseTransaction, tenant_id: Uuid, events: &mut [event::Model]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    records::apply(txn, tenant_id, events).await?;
    // 16 columns a row: well under both backends' limits on parameters.
    for chunk in events.chunks(1000) {
        let rows: Vec<event::ActiveModel> = chunk.iter().cloned().map(Into::into).collect();
        event::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    let pending = events
        .iter()
        .map(|e| outbox::Pending {
            id: e.id,
            tenant_id,
            actor: Some(e.recorded_by),
            event_type: format!("sync.{}", e.event_type),
            payload: envelope_payload(e),
        })
        .collect();
    outbox::enqueue_many(txn, pending).await
}

/// What the bus carries for an accepted event (`sync.<type>`).
fn envelope_payload(e: &event::Model) -> Value {
    json!({
        "syncEventId": e.id,
        "deviceId": e.device_id,
        "clientEventId": e.client_event_id,
        "type": e.event_type,
        "schemaVersion": e.schema_version,
        "recordedBy": e.recorded_by,
        "subjectId": e.subject_id,
        "recordId": e.record_id,
        "clientTime": e.client_time,
        "serverTime": e.server_time,
        "applied": e.stream == Stream::Append || !e.superseded,
        "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null),
    })
}

/// A verdict that should exist and does not: never expected.
pub(crate) fn unjudged() -> Held {
    Held {
        reason: QuarantineReason::UnknownType,
        detail: "the event was not judged".into(),
        subject_id: None,
    }
}

fn unjudged_rejection() -> Rejection {
    Rejection {
        code: ErrorCode::Internal,
        reason: "NOT_JUDGED",
        message: "the event was not judged; send it again".into(),
        quarantine_id: None,
    }
}
