//! Devices: each is enrolled to one user of a tenant and sends that
//! user's events. Its row also counts its batches per minute (the rate
//! limit) and keeps its last clock skew.

use std::collections::HashMap;

use backbone_entities::{sync::device, tenancy::user};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    db::is_postgres,
    tenancy::Ref,
};
use uuid::Uuid;

/// Enrolls a device to `user`; its id is what its events carry.
pub async fn enroll(
    db: &sea_orm::DatabaseConnection,
    user: &Ref<user::Entity>,
    actor: Uuid,
    name: &str,
) -> ApiResult<device::Model> {
    let name = subgraph_kit::validate::name("name", name)?;
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let row = device::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(user.tenant_id()),
        user_id: Set(user.id()),
        name: Set(name),
        enrolled_by: Set(actor),
        enrolled_at: Set(Utc::now()),
        revoked_at: Set(None),
        last_batch_at: Set(None),
        clock_skew_ms: Set(None),
        last_cursor: Set(None),
        window_started_at: Set(None),
        window_batches: Set(0),
    }
    .insert(&txn)
    .await?;
    audited(&txn, &row, actor, "sync.device.enrolled").await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// Revokes a device: its later events are quarantined as not enrolled.
pub async fn revoke(
    db: &sea_orm::DatabaseConnection,
    device: Ref<device::Entity>,
    actor: Uuid,
) -> ApiResult<device::Model> {
    if device.row().revoked_at.is_some() {
        return Ok(device.row().clone());
    }
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let mut row = device.row().clone().into_active_model();
    row.revoked_at = Set(Some(Utc::now()));
    let row = row.update(&txn).await?;
    audited(&txn, &row, actor, "sync.device.revoked").await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// The audit entry of a change to a device.
async fn audited(
    txn: &sea_orm::DatabaseTransaction,
    row: &device::Model,
    actor: Uuid,
    event_type: &'static str,
) -> ApiResult<()> {
    let entry = AuditEntry {
        event_type,
        resource_type: "sync_device",
        resource_id: row.id.to_string(),
        // Whose device it is lives in the row, which erasure removes; the
        // audit log never holds a person's id in its data.
        data: serde_json::Value::Null,
    };
    audit::append(txn, row.tenant_id, Some(actor), entry).await?;
    Ok(())
}

/// The tenant's devices, of `user` only when given, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user: Option<Uuid>,
) -> ApiResult<Vec<device::Model>> {
    let mut q = device::Entity::find().filter(device::Column::TenantId.eq(tenant_id));
    if let Some(user) = user {
        q = q.filter(device::Column::UserId.eq(user));
    }
    Ok(q.order_by_desc(device::Column::EnrolledAt).all(db).await?)
}

/// What a batch may do for each device it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Enrolled to the sender, not revoked, within its rate.
    Enrolled,
    /// Over its batches for this minute.
    RateLimited,
}

/// Locks the rows of `ids` that are enrolled to `sender` in `tenant_id`
/// (in id order, so two batches never wait on each other in a cycle),
/// counts this batch in each one's minute and records its skew. Devices
/// absent from the answer are not enrolled to the sender.
pub async fn admit(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    sender: Uuid,
    ids: &[Uuid],
    now: DateTime<Utc>,
    skew_ms: Option<i64>,
    per_minute: i32,
) -> ApiResult<HashMap<Uuid, Standing>> {
    let mut q = device::Entity::find()
        .filter(device::Column::TenantId.eq(tenant_id))
        .filter(device::Column::Id.is_in(ids.iter().copied()))
        .filter(device::Column::UserId.eq(sender))
        .filter(device::Column::RevokedAt.is_null())
        .order_by_asc(device::Column::Id);
    if is_postgres(txn) {
        q = q.lock_exclusive();
    }
    let mut standing = HashMap::new();
    for row in q.all(txn).await? {
        let fresh = row.window_started_at.is_none_or(|at| now - at >= Duration::minutes(1));
        let batches = if fresh { 1 } else { row.window_batches.saturating_add(1) };
        let id = row.id;
        let mut active = row.into_active_model();
        if fresh {
            active.window_started_at = Set(Some(now));
        }
        active.window_batches = Set(batches);
        active.last_batch_at = Set(Some(now));
        if skew_ms.is_some() {
            active.clock_skew_ms = Set(skew_ms);
        }
        active.update(txn).await?;
        standing.insert(id, if batches > per_minute { Standing::RateLimited } else { Standing::Enrolled });
    }
    Ok(standing)
}

/// Whether `id` is enrolled to `user` and not revoked; its row is locked
/// for the transaction on Postgres, as [`admit`] locks it.
pub async fn enrolled(txn: &DatabaseTransaction, tenant_id: Uuid, user: Uuid, id: Uuid) -> ApiResult<bool> {
    let mut q = device::Entity::find()
        .filter(device::Column::TenantId.eq(tenant_id))
        .filter(device::Column::Id.eq(id))
        .filter(device::Column::UserId.eq(user))
        .filter(device::Column::RevokedAt.is_null());
    if is_postgres(txn) {
        q = q.lock_exclusive();
    }
    Ok(q.one(txn).await?.is_some())
}

/// A device of the tenant by id, for the device itself or an admin.
pub async fn reachable(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: &str,
    user: Option<Uuid>,
) -> ApiResult<Ref<device::Entity>> {
    let device = Ref::<device::Entity>::parse(db, tenant_id, "id", id).await?;
    match user {
        Some(user) if device.row().user_id != user => {
            Err(ApiError::NotFound("no device with that id in this tenant".into()))
        }
        _ => Ok(device),
    }
}
