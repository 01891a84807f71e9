//! Last-writer-wins records: of the writes to one record, the one with
//! the latest client time is its state (ties go to the write received
//! last). Every write is kept as an event; those that lose are marked
//! superseded and each loss is written to the audit trail.

use std::collections::BTreeMap;

use backbone_entities::sync::{event, record};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, sea_query::OnConflict,
};
use subgraph_kit::{
    ApiResult,
    audit::{self, AuditEntry},
    db::is_postgres,
};
use uuid::Uuid;

/// The outcome of applying a batch's writes.
#[derive(Debug, Default)]
pub struct Applied {
    /// Stored events that were the state of their record and no longer are.
    pub dethroned: Vec<Uuid>,
}

/// Applies the record writes among `events` (in id order, locking each
/// record in key order) and marks those that lose `superseded`; the
/// events are not stored yet.
pub async fn apply(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    events: &mut [event::Model],
) -> ApiResult<Applied> {
    let mut by_record: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(record_id) = &e.record_id {
            by_record.entry((e.event_type.clone(), record_id.clone())).or_default().push(i);
        }
    }
    let mut applied = Applied::default();
    for ((record_type, record_id), mut writes) in by_record {
        writes.sort_by_key(|&i| (events[i].client_time, events[i].id));
        let Some(&last) = writes.last() else { continue };
        let losers: Vec<usize> = writes[..writes.len() - 1].to_vec();
        let current = locked(txn, tenant_id, &record_type, &record_id).await?;
        let current = match current {
            Some(current) => current,
            None => match create(txn, tenant_id, &events[last]).await? {
                true => {
                    lose(txn, tenant_id, events, &losers, last).await?;
                    continue;
                }
                // Another batch created it meanwhile: compare with that.
                false => match locked(txn, tenant_id, &record_type, &record_id).await? {
                    Some(current) => current,
                    None => continue,
                },
            },
        };
        if (current.client_time, current.event_id) >= (events[last].client_time, events[last].id) {
            for &i in &writes {
                events[i].superseded = true;
                audit_loss(txn, tenant_id, &events[i], current.event_id, current.client_time).await?;
            }
            continue;
        }
        applied.dethroned.push(current.event_id);
        let (lost_event, lost_time, lost_device) = (current.event_id, current.client_time, current.device_id);
        let winner = &events[last];
        let mut row = current.into_active_model();
        row.event_id = Set(winner.id);
        row.device_id = Set(winner.device_id);
        row.subject_id = Set(winner.subject_id);
        row.client_time = Set(winner.client_time);
        row.payload = Set(winner.payload.clone());
        row.updated_at = Set(super::now());
        row.update(txn).await?;
        audit::append(
            txn,
            tenant_id,
            Some(winner.recorded_by),
            AuditEntry {
                event_type: "sync.record.write_lost",
                resource_type: "sync_event",
                resource_id: lost_event.to_string(),
                data: serde_json::json!({
                    "lostDeviceId": lost_device, "lostClientTime": lost_time,
                    "wonEventId": winner.id, "wonClientTime": winner.client_time,
                }),
            },
        )
        .await?;
        lose(txn, tenant_id, events, &losers, last).await?;
    }
    if !applied.dethroned.is_empty() {
        event::Entity::update_many()
            .col_expr(event::Column::Superseded, true.into())
            .filter(event::Column::TenantId.eq(tenant_id))
            .filter(event::Column::Id.is_in(applied.dethroned.clone()))
            .exec(txn)
            .await?;
    }
    Ok(applied)
}

/// The record, locked for the transaction on Postgres.
async fn locked(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    record_type: &str,
    record_id: &str,
) -> ApiResult<Option<record::Model>> {
    let mut q = record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::RecordType.eq(record_type))
        .filter(record::Column::RecordId.eq(record_id));
    if is_postgres(txn) {
        q = q.lock_exclusive();
    }
    Ok(q.one(txn).await?)
}

/// Creates the record with `winner` as its state; false when it exists.
async fn create(txn: &DatabaseTransaction, tenant_id: Uuid, winner: &event::Model) -> ApiResult<bool> {
    let row = record::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        record_type: Set(winner.event_type.clone()),
        record_id: Set(winner.record_id.clone().unwrap_or_default()),
        event_id: Set(winner.id),
        device_id: Set(winner.device_id),
        subject_id: Set(winner.subject_id),
        client_time: Set(winner.client_time),
        payload: Set(winner.payload.clone()),
        updated_at: Set(super::now()),
    };
    let inserted = record::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                record::Column::TenantId,
                record::Column::RecordType,
                record::Column::RecordId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(inserted > 0)
}

/// Marks `losers` (writes of one batch to one record) superseded by
/// `winner`, and audits each.
async fn lose(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    events: &mut [event::Model],
    losers: &[usize],
    winner: usize,
) -> ApiResult<()> {
    let (won, won_time) = (events[winner].id, events[winner].client_time);
    for &i in losers {
        events[i].superseded = true;
        audit_loss(txn, tenant_id, &events[i], won, won_time).await?;
    }
    Ok(())
}

async fn audit_loss(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    lost: &event::Model,
    won: Uuid,
    won_time: DateTime<Utc>,
) -> ApiResult<()> {
    audit::append(
        txn,
        tenant_id,
        Some(lost.recorded_by),
        AuditEntry {
            event_type: "sync.record.write_lost",
            resource_type: "sync_event",
            resource_id: lost.id.to_string(),
            data: serde_json::json!({
                "lostDeviceId": lost.device_id, "lostClientTime": lost.client_time,
                "wonEventId": won, "wonClientTime": won_time,
            }),
        },
    )
    .await?;
    Ok(())
}

/// A record's current state.
pub async fn find(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    record_type: &str,
    record_id: &str,
) -> ApiResult<Option<record::Model>> {
    Ok(record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::RecordType.eq(record_type))
        .filter(record::Column::RecordId.eq(record_id))
        .one(db)
        .await?)
}
