//! Remember, list, forget: the writes, each in one transaction with the
//! person's change marks (see [`super::snapshot`] for why).

use backbone_entities::memory::{entry as memory, generation};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use subgraph_kit::{
    ApiError, ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

use super::{
    embed::{self, Embedder},
    pgvector::PgVector,
    rows::{count, mine},
};

/// What to remember.
#[derive(Debug, Clone)]
pub struct NewMemory {
    /// Type, e.g. `fact`, `preference`, `goal`.
    pub kind: String,
    /// The text.
    pub text: String,
    /// Consent scope needed to recall it.
    pub required_scope: String,
    /// 0..1.
    pub importance: f64,
    /// Forgotten after.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores a memory.
pub async fn remember(
    db: &DatabaseConnection,
    embedder: &Embedder,
    vectors: &PgVector,
    tenant_id: Uuid,
    user_id: Uuid,
    m: NewMemory,
    max_per_user: u64,
) -> ApiResult<memory::Model> {
    let text = m.text.trim().to_owned();
    if text.is_empty() || text.len() > 4_000 {
        return Err(ApiError::bad_input("text", "1 to 4000 characters"));
    }
    let kind = subgraph_kit::validate::name("type", &m.kind)?.to_ascii_lowercase();
    if !(0.0..=1.0).contains(&m.importance) {
        return Err(ApiError::bad_input("importance", "between 0 and 1"));
    }
    if m.expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::bad_input("expiresAt", "must be in the future"));
    }
    let scope = m.required_scope.trim().to_owned();
    if scope.is_empty()
        || scope.len() > 100
        || !scope.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Err(ApiError::bad_input("requiredScope", "a consent scope key, e.g. memory.health"));
    }
    let count = count(db, mine(tenant_id, user_id)).await?;
    if count >= max_per_user {
        return Err(ApiError::Conflict(format!("at most {max_per_user} memories per person")));
    }
    let vector = embedder.embed(&text).await?;
    // Before the transaction: the first call may alter the table, which
    // waits for every open transaction on it, ours included.
    let indexed = vectors.enabled(db).await?;
    if indexed {
        vectors.ensure_index(db, &embedder.name(), vector.len()).await?;
    }
    let txn = db.begin().await?;
    let row = memory::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        kind: Set(kind),
        text: Set(text),
        required_scope: Set(scope),
        importance: Set(m.importance),
        expires_at: Set(m.expires_at),
        embedder: Set(embedder.name()),
        embedding: Set(embed::to_bytes(&vector)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    if indexed {
        super::pgvector::store(&txn, row.id, &vector).await?;
    }
    changed(&txn, tenant_id, user_id, Change::Added(1)).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// What a write did to a person's memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// This many rows were inserted.
    Added(u64),
    /// This many rows were removed.
    Removed(u64),
}

/// Marks a change of the person's memories inside `txn`: a fresh random
/// generation, a fresh removal epoch when rows were removed, and the
/// memory count moved. Random rather than counted, so a person erased and
/// starting again never repeats marks a cache may still hold.
pub async fn changed(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    user_id: Uuid,
    change: Change,
) -> ApiResult<()> {
    use generation::Column as C;
    let count = Expr::col((generation::Entity, C::MemoryCount));
    let (first, count, removed) = match change {
        Change::Added(n) => (n, count.add(n), false),
        Change::Removed(n) => (0, count.sub(n), true),
    };
    let mut on_conflict = OnConflict::column(C::UserId);
    on_conflict.update_column(C::Generation).value(C::MemoryCount, count);
    if removed {
        on_conflict.update_column(C::RemovalEpoch);
    }
    generation::Entity::insert(generation::ActiveModel {
        user_id: Set(user_id),
        tenant_id: Set(tenant_id),
        generation: Set(rand::random()),
        removal_epoch: Set(rand::random()),
        memory_count: Set(i64::try_from(first).unwrap_or(i64::MAX)),
    })
    .on_conflict(on_conflict)
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Forgets one of the user's memories; `NOT_FOUND` if it is not theirs.
pub async fn forget(db: &DatabaseConnection, tenant_id: Uuid, user_id: Uuid, id: Uuid) -> ApiResult<()> {
    let txn = db.begin().await?;
    let res = memory::Entity::delete_many()
        .filter(memory::Column::Id.eq(id))
        .filter(memory::Column::TenantId.eq(tenant_id))
        .filter(memory::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(ApiError::NotFound("no such memory".into()));
    }
    changed(&txn, tenant_id, user_id, Change::Removed(1)).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Every memory of a person, newest first (their data export).
pub async fn all(db: &impl ConnectionTrait, tenant_id: Uuid, user_id: Uuid) -> ApiResult<Vec<memory::Model>> {
    Ok(mine(tenant_id, user_id).order_by_desc(memory::Column::Id).all(db).await?)
}

/// A page of a person's memories, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<memory::Model>> {
    use sea_orm::QuerySelect;
    let mut q = mine(tenant_id, user_id);
    if let Some(after) = page.after_id()? {
        q = q.filter(memory::Column::Id.lt(after));
    }
    Ok(page.split(q.order_by_desc(memory::Column::Id).limit(page.limit()).all(db).await?))
}
