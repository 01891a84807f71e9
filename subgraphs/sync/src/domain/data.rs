//! Sync's side of the data contract.
//!
//! Export: the person's devices and assignments, events about them or
//! recorded by them, records about them, and quarantine entries about
//! them, sent by them or naming them in the payload. Erasure: events,
//! records and quarantine entries about the person (or naming them) go,
//! with their devices and assignments; an event they recorded about
//! someone else stays (it is that person's record) with the recorder
//! unlinked; types they registered, devices they enrolled, assignments
//! they made and entries they resolved stay, no longer naming them.
//! Retention purges `sync_events` and `sync_quarantine` by age,
//! except those about a person on hold.

use backbone_entities::sync::{assignment, device, event, event_type, quarantine, record};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
    sea_query::{Expr, SimpleExpr},
};
use serde_json::{Value, json};
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge},
};
use uuid::Uuid;

/// Sync's data contract.
pub struct SyncData;

/// The most rows of one table an export reads.
const MAX_ROWS: u64 = 100_000;

fn about(who: &Person) -> Condition {
    Condition::any().add(event::Column::SubjectId.eq(who.user_id)).add(who.named_in(event::Column::Payload))
}

fn held_about(who: &Person) -> Condition {
    Condition::any()
        .add(quarantine::Column::SubjectId.eq(who.user_id))
        .add(quarantine::Column::RecordedBy.eq(who.user_id))
        .add(who.named_in(quarantine::Column::Payload))
}

fn records_about(who: &Person) -> Condition {
    Condition::any().add(record::Column::SubjectId.eq(who.user_id)).add(who.named_in(record::Column::Payload))
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[async_trait::async_trait]
impl DataContract for SyncData {
    fn data_types(&self) -> &'static [&'static str] {
        &["sync_events", "sync_quarantine"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<Value> {
        let t = who.tenant_id;
        let events = event::Entity::find()
            .filter(event::Column::TenantId.eq(t))
            .filter(about(who).add(event::Column::RecordedBy.eq(who.user_id)))
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let records = record::Entity::find()
            .filter(record::Column::TenantId.eq(t))
            .filter(records_about(who))
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let held = quarantine::Entity::find()
            .filter(quarantine::Column::TenantId.eq(t))
            .filter(held_about(who))
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let devices = device::Entity::find()
            .filter(device::Column::TenantId.eq(t))
            .filter(device::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        let assignments = assignment::Entity::find()
            .filter(assignment::Column::TenantId.eq(t))
            .filter(
                Condition::any()
                    .add(assignment::Column::WorkerId.eq(who.user_id))
                    .add(assignment::Column::SubjectId.eq(who.user_id)),
            )
            .all(db)
            .await?;
        Ok(json!({
            "syncedEvents": events.iter().map(|e| json!({
                "id": e.id, "type": e.event_type, "schemaVersion": e.schema_version, "deviceId": e.device_id,
                "recordedBy": e.recorded_by, "subjectId": e.subject_id, "recordId": e.record_id,
                "clientTime": e.client_time, "serverTime": e.server_time, "superseded": e.superseded,
                "payload": parsed(&e.payload),
            })).collect::<Vec<_>>(),
            "records": records.iter().map(|r| json!({
                "type": r.record_type, "id": r.record_id, "clientTime": r.client_time, "payload": parsed(&r.payload),
            })).collect::<Vec<_>>(),
            "quarantinedEvents": held.iter().map(|q| json!({
                "id": q.id, "type": q.event_type, "deviceId": q.device_id, "reason": crate::domain::quarantine::code(q.reason),
                "status": format!("{:?}", q.status).to_lowercase(), "receivedAt": q.received_at, "payload": parsed(&q.payload),
            })).collect::<Vec<_>>(),
            "devices": devices.iter().map(|d| json!({
                "id": d.id, "name": d.name, "enrolledAt": d.enrolled_at, "revokedAt": d.revoked_at,
            })).collect::<Vec<_>>(),
            "assignments": assignments.iter().map(|a| json!({
                "workerId": a.worker_id, "subjectId": a.subject_id, "assignedAt": a.assigned_at,
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let t = who.tenant_id;
        let events = event::Entity::delete_many()
            .filter(event::Column::TenantId.eq(t))
            .filter(about(who))
            .exec(txn)
            .await?
            .rows_affected;
        let unlinked =
            unlink::<event::Entity>(txn, event::Column::TenantId, event::Column::RecordedBy, who, nil())
                .await?;
        let records = record::Entity::delete_many()
            .filter(record::Column::TenantId.eq(t))
            .filter(records_about(who))
            .exec(txn)
            .await?
            .rows_affected;
        let held = quarantine::Entity::delete_many()
            .filter(quarantine::Column::TenantId.eq(t))
            .filter(held_about(who))
            .exec(txn)
            .await?
            .rows_affected;
        let devices = device::Entity::delete_many()
            .filter(device::Column::TenantId.eq(t))
            .filter(device::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let assignments = assignment::Entity::delete_many()
            .filter(assignment::Column::TenantId.eq(t))
            .filter(
                Condition::any()
                    .add(assignment::Column::WorkerId.eq(who.user_id))
                    .add(assignment::Column::SubjectId.eq(who.user_id)),
            )
            .exec(txn)
            .await?
            .rows_affected;
        // What they did for others stays, no longer naming them.
        let unlinked_admin = {
            use assignment::Column as A;
            use device::Column as D;
            use event_type::Column as T;
            use quarantine::Column as Q;
            unlink::<event_type::Entity>(txn, T::TenantId, T::RegisteredBy, who, nil()).await?
                + unlink::<device::Entity>(txn, D::TenantId, D::EnrolledBy, who, nil()).await?
                + unlink::<assignment::Entity>(txn, A::TenantId, A::AssignedBy, who, nil()).await?
                + unlink::<quarantine::Entity>(
                    txn,
                    Q::TenantId,
                    Q::ResolvedBy,
                    who,
                    Expr::value(None::<Uuid>),
                )
                .await?
        };
        Ok(Counts::from([
            ("sync_unlinked".to_owned(), unlinked_admin),
            ("sync_events".to_owned(), events),
            ("sync_events_recorder_unlinked".to_owned(), unlinked),
            ("sync_records".to_owned(), records),
            ("sync_quarantine".to_owned(), held),
            ("sync_devices".to_owned(), devices),
            ("sync_assignments".to_owned(), assignments),
        ]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        match p.data_type.as_str() {
            "sync_events" => {
                let old = Condition::all()
                    .add(event::Column::TenantId.eq(p.tenant_id))
                    .add(event::Column::ServerTime.lt(p.before))
                    .add(
                        Condition::any()
                            .add(event::Column::SubjectId.is_null())
                            .add(event::Column::SubjectId.is_not_in(p.exceptions.clone())),
                    )
                    .add(event::Column::RecordedBy.is_not_in(p.exceptions.clone()));
                if p.dry_run {
                    return Ok(event::Entity::find().filter(old).count(db).await?);
                }
                Ok(event::Entity::delete_many().filter(old).exec(db).await?.rows_affected)
            }
            _ => {
                let old = Condition::all()
                    .add(quarantine::Column::TenantId.eq(p.tenant_id))
                    .add(quarantine::Column::ReceivedAt.lt(p.before))
                    .add(
                        Condition::any()
                            .add(quarantine::Column::SubjectId.is_null())
                            .add(quarantine::Column::SubjectId.is_not_in(p.exceptions.clone())),
                    )
                    .add(quarantine::Column::RecordedBy.is_not_in(p.exceptions.clone()));
                if p.dry_run {
                    return Ok(quarantine::Entity::find().filter(old).count(db).await?);
                }
                Ok(quarantine::Entity::delete_many().filter(old).exec(db).await?.rows_affected)
            }
        }
    }
}

/// The nil id an unlinked person's place takes in a required column.
fn nil() -> SimpleExpr {
    Expr::value(Uuid::nil())
}

/// Sets `column` to `to` on the rows of `E` in `who`'s tenant where it
/// names `who`; how many rows changed.
async fn unlink<E: EntityTrait>(
    txn: &DatabaseTransaction,
    tenant: E::Column,
    column: E::Column,
    who: &Person,
    to: SimpleExpr,
) -> ApiResult<u64> {
    Ok(E::update_many()
        .col_expr(column, to)
        .filter(tenant.eq(who.tenant_id))
        .filter(column.eq(who.user_id))
        .exec(txn)
        .await?
        .rows_affected)
}
