//! Assignments: the people a health worker records for. A sender with
//! `sync_event:record` at `Own` scope may send events about themselves and
//! their assigned people only.

use std::collections::HashSet;

use backbone_entities::{sync::assignment, tenancy::user};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use subgraph_kit::{
    ApiResult,
    audit::{self, AuditEntry},
    tenancy::Ref,
};
use uuid::Uuid;

/// Assigns `subject` to `worker` (again: a no-op).
pub async fn assign(
    db: &sea_orm::DatabaseConnection,
    worker: &Ref<user::Entity>,
    subject: &Ref<user::Entity>,
    actor: Uuid,
) -> ApiResult<()> {
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let inserted = assignment::Entity::insert(assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(worker.tenant_id()),
        worker_id: Set(worker.id()),
        subject_id: Set(subject.id()),
        assigned_by: Set(actor),
        assigned_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            assignment::Column::TenantId,
            assignment::Column::WorkerId,
            assignment::Column::SubjectId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted > 0 {
        audit::append(
            &txn,
            worker.tenant_id(),
            Some(actor),
            AuditEntry {
                event_type: "sync.subject.assigned",
                // The resource id says whose rights changed; the data
                // names no one (the row says whom, until erased).
                resource_type: "user",
                resource_id: worker.id().to_string(),
                data: serde_json::Value::Null,
            },
        )
        .await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Ends `worker`'s assignment to `subject`; whether there was one.
pub async fn unassign(
    db: &sea_orm::DatabaseConnection,
    worker: &Ref<user::Entity>,
    subject: &Ref<user::Entity>,
    actor: Uuid,
) -> ApiResult<bool> {
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let gone = assignment::Entity::delete_many()
        .filter(assignment::Column::TenantId.eq(worker.tenant_id()))
        .filter(assignment::Column::WorkerId.eq(worker.id()))
        .filter(assignment::Column::SubjectId.eq(subject.id()))
        .exec(&txn)
        .await?
        .rows_affected;
    if gone > 0 {
        audit::append(
            &txn,
            worker.tenant_id(),
            Some(actor),
            AuditEntry {
                event_type: "sync.subject.unassigned",
                // The resource id says whose rights changed; the data
                // names no one (the row says whom, until erased).
                resource_type: "user",
                resource_id: worker.id().to_string(),
                data: serde_json::Value::Null,
            },
        )
        .await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(gone > 0)
}

/// Which of `subjects` `worker` is assigned to.
pub async fn assigned_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    worker: Uuid,
    subjects: &HashSet<Uuid>,
) -> ApiResult<HashSet<Uuid>> {
    if subjects.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(assignment::Entity::find()
        .filter(assignment::Column::TenantId.eq(tenant_id))
        .filter(assignment::Column::WorkerId.eq(worker))
        .filter(assignment::Column::SubjectId.is_in(subjects.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.subject_id)
        .collect())
}

/// Which of `ids` are users of the tenant.
pub async fn users_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &HashSet<Uuid>,
) -> ApiResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}
