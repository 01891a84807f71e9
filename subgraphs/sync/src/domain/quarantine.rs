//! The quarantine: events that could not be accepted, held with the
//! reason. A tenant admin lists them, fixes a payload and replays it
//! ([`super::replay`]), or discards it. A device that sends a held event
//! again gets the same rejection; nothing is held twice.

use std::collections::HashMap;

use backbone_entities::sync::quarantine::{self, QuarantineReason, QuarantineStatus};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::OnConflict,
};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    tenancy::Ref,
};
use uuid::Uuid;

use super::checks;

/// An event to hold.
#[derive(Debug, Clone)]
pub struct Hold {
    /// The device id it named.
    pub device_id: String,
    /// The device's id for it.
    pub client_event_id: String,
    /// Its type.
    pub event_type: String,
    /// Its schema version.
    pub schema_version: i32,
    /// Its client time.
    pub client_time: DateTime<Utc>,
    /// Its payload, as JSON.
    pub payload: String,
    /// Why, what, about whom.
    pub held: checks::Held,
}

/// The stable reason code of a quarantine reason (also the rejection's
/// `reason`).
pub fn code(reason: QuarantineReason) -> &'static str {
    match reason {
        QuarantineReason::UnknownType => "UNKNOWN_TYPE",
        QuarantineReason::SchemaInvalid => "SCHEMA_INVALID",
        QuarantineReason::DeviceNotEnrolled => "DEVICE_NOT_ENROLLED",
        QuarantineReason::SubjectNotAssigned => "SUBJECT_NOT_ASSIGNED",
    }
}

/// Holds `holds` sent by `sender` (each once: one held already, by this
/// batch or a concurrent one, is kept as it is) and returns the rows of
/// their keys.
pub async fn hold(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    sender: Uuid,
    holds: Vec<Hold>,
    now: DateTime<Utc>,
) -> ApiResult<HashMap<(String, String), quarantine::Model>> {
    if holds.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<(String, String)> =
        holds.iter().map(|h| (h.device_id.clone(), h.client_event_id.clone())).collect();
    let rows: Vec<quarantine::ActiveModel> = holds
        .into_iter()
        .map(|h| quarantine::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            device_id: Set(h.device_id),
            client_event_id: Set(h.client_event_id),
            event_type: Set(h.event_type),
            schema_version: Set(h.schema_version),
            client_time: Set(h.client_time),
            recorded_by: Set(sender),
            subject_id: Set(h.held.subject_id),
            payload: Set(h.payload),
            reason: Set(h.held.reason),
            detail: Set(h.held.detail),
            status: Set(QuarantineStatus::Held),
            received_at: Set(now),
            resolved_by: Set(None),
            resolved_at: Set(None),
            event_id: Set(None),
        })
        .collect();
    for chunk in rows.chunks(1000) {
        quarantine::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    quarantine::Column::TenantId,
                    quarantine::Column::DeviceId,
                    quarantine::Column::ClientEventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    existing(txn, tenant_id, &keys).await
}

/// The held rows of `keys` (device id, client event id).
pub async fn existing(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    keys: &[(String, String)],
) -> ApiResult<HashMap<(String, String), quarantine::Model>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let devices: std::collections::HashSet<&String> = keys.iter().map(|k| &k.0).collect();
    let ids: std::collections::HashSet<&String> = keys.iter().map(|k| &k.1).collect();
    Ok(quarantine::Entity::find()
        .filter(quarantine::Column::TenantId.eq(tenant_id))
        .filter(quarantine::Column::DeviceId.is_in(devices.into_iter().cloned()))
        .filter(quarantine::Column::ClientEventId.is_in(ids.into_iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|q| ((q.device_id.clone(), q.client_event_id.clone()), q))
        .collect())
}

/// The tenant's quarantine, oldest first, in `status` when given: at most
/// `first` after the row `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    status: Option<QuarantineStatus>,
    first: u64,
    after: Option<Uuid>,
) -> ApiResult<Vec<quarantine::Model>> {
    let mut q = quarantine::Entity::find().filter(quarantine::Column::TenantId.eq(tenant_id));
    if let Some(status) = status {
        q = q.filter(quarantine::Column::Status.eq(status));
    }
    if let Some(after) = after {
        q = q.filter(quarantine::Column::Id.gt(after));
    }
    Ok(q.order_by_asc(quarantine::Column::Id).limit(first).all(db).await?)
}

pub(crate) fn still_held(row: &quarantine::Model) -> ApiResult<()> {
    match row.status {
        QuarantineStatus::Held => Ok(()),
        other => {
            Err(ApiError::conflict("NOT_HELD", format!("the event was {other:?} already").to_lowercase()))
        }
    }
}

/// Discards a held event.
pub async fn discard(
    db: &sea_orm::DatabaseConnection,
    held: Ref<quarantine::Entity>,
    actor: Uuid,
    note: Option<String>,
) -> ApiResult<quarantine::Model> {
    still_held(held.row())?;
    let txn = db.begin().await?;
    let mut row = held.row().clone().into_active_model();
    row.status = Set(QuarantineStatus::Discarded);
    row.resolved_by = Set(Some(actor));
    row.resolved_at = Set(Some(Utc::now()));
    let row = row.update(&txn).await?;
    audit::append(
        &txn,
        row.tenant_id,
        Some(actor),
        AuditEntry {
            event_type: "sync.quarantine.discarded",
            resource_type: "sync_quarantine",
            resource_id: row.id.to_string(),
            data: serde_json::json!({ "reason": code(row.reason), "note": note }),
        },
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}
