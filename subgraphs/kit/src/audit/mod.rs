//! The append-only, hash-chained audit log.
//!
//! Each event stores the SHA-256 of the previous event of its tenant and its
//! own hash over every field plus that link, so editing, deleting or
//! reordering any row breaks the chain at that row. Events are written with
//! [`append`] inside the transaction of the change they describe: no change
//! without its audit event, no audit event for a change that rolled back.

use backbone_entities::platform::audit_event;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{db::is_postgres, error::ApiResult};

pub mod anchor;
pub use anchor::Anchor;

/// `prev_hash` of a tenant's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as the caller describes it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Event type, e.g. `user.invited`.
    pub event_type: &'static str,
    /// Resource kind, e.g. `user`.
    pub resource_type: &'static str,
    /// Resource id.
    pub resource_id: String,
    /// Details (never secrets).
    pub data: serde_json::Value,
}

/// Appends an event to `tenant_id`'s chain inside `txn`.
pub async fn append(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    entry: AuditEntry,
) -> ApiResult<audit_event::Model> {
    if is_postgres(txn) {
        // Serialize appends per tenant so two transactions never read the
        // same chain head; the lock ends with the transaction.
        txn.execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "SELECT pg_advisory_xact_lock($1)",
            [lock_key(tenant_id).into()],
        ))
        .await?;
    }
    let head = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(tenant_id))
        .order_by_desc(audit_event::Column::Seq)
        .one(txn)
        .await?;
    let (seq, prev_hash) = head.map_or((1, GENESIS.to_owned()), |h| (h.seq + 1, h.hash));
    let mut model = audit_event::Model {
        id: Uuid::now_v7(),
        tenant_id,
        seq,
        actor_id: actor,
        event_type: entry.event_type.to_owned(),
        resource_type: entry.resource_type.to_owned(),
        resource_id: entry.resource_id,
        data: entry.data.to_string(),
        occurred_at: micros(Utc::now()),
        prev_hash,
        hash: String::new(),
    };
    model.hash = hash_of(&model);
    // Every field is Set: the row is inserted exactly as it was hashed.
    let active = audit_event::ActiveModel::from(model.clone()).reset_all();
    active.insert(txn).await?;
    Ok(model)
}

/// The hash of an event: SHA-256 over its fields and `prev_hash`, each
/// length-prefixed so no two different events serialize the same.
pub fn hash_of(e: &audit_event::Model) -> String {
    let mut h = Sha256::new();
    let actor = e.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let fields: [&str; 9] = [
        &e.prev_hash,
        &e.tenant_id.to_string(),
        &e.seq.to_string(),
        &actor,
        &e.event_type,
        &e.resource_type,
        &e.resource_id,
        &e.data,
        &e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    ];
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(e.id.as_bytes());
    hex::encode(h.finalize())
}

/// The outcome of checking a tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events checked.
    pub checked: u64,
    /// Where the chain is first wrong, if anywhere.
    pub broken: Option<Broken>,
}

/// Where and why a chain is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The sequence number concerned.
    pub seq: i64,
    /// The event at that number, when there is one (a truncated chain has
    /// none).
    pub event_id: Option<Uuid>,
    /// Why, for people.
    pub reason: String,
}

/// Walks `tenant_id`'s chain from the first event and reports the first
/// broken link. [`Anchor::verify`] also checks the signed checkpoints.
pub async fn verify_chain(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<ChainReport> {
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(tenant_id))
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await?;
    let mut prev = GENESIS.to_owned();
    let mut checked = 0;
    for (i, event) in events.into_iter().enumerate() {
        checked += 1;
        let reason = if event.seq != i as i64 + 1 {
            Some("sequence gap: an event was removed")
        } else if event.prev_hash != prev {
            Some("link broken: prev_hash does not match the previous event")
        } else if hash_of(&event) != event.hash {
            Some("content changed: hash does not match the event")
        } else {
            None
        };
        if let Some(reason) = reason {
            let broken = Broken { seq: event.seq, event_id: Some(event.id), reason: reason.into() };
            return Ok(ChainReport { checked, broken: Some(broken) });
        }
        prev = event.hash;
    }
    Ok(ChainReport { checked, broken: None })
}

fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    // Postgres keeps microseconds; hashing what is stored keeps the chain
    // verifiable after a round trip.
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

fn lock_key(tenant_id: Uuid) -> i64 {
    let b = tenant_id.as_bytes();
    i64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
}
