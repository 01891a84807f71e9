//! Remember, recall, forget.
//!
//! Recall ranks a user's memories by cosine similarity after dropping
//! expired ones and those whose scope the user has not consented to (asked
//! of the consent service on every recall, so a withdrawal counts at once).
//! Vectors are read from the database as bytes and scanned exactly; a
//! user's vectors stay cached in process and are refreshed when the user's
//! change counter (`memory_generations`, bumped in the same transaction as
//! every change, on any replica) moves: extended with the new rows when
//! memories were only added, read again in full otherwise.

use std::sync::Arc;

use backbone_entities::memory::{entry as memory, generation};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
    sea_query::{ExprTrait, OnConflict},
};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::embed::{self, Embedder};

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

/// One cached memory.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Row id.
    pub id: Uuid,
    /// Type.
    pub kind: String,
    /// Text.
    pub text: String,
    /// Scope.
    pub required_scope: String,
    /// Importance.
    pub importance: f64,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Embedder name.
    pub embedder: String,
    /// Where the unit vector starts in [`Snapshot`]'s flat vector array.
    offset: usize,
    /// Its dimensions.
    dims: usize,
}

/// A user's memories at one generation, their vectors in one contiguous
/// array so the scan streams through memory.
pub struct Snapshot {
    generation: i64,
    entries: Vec<Entry>,
    vectors: Vec<f32>,
}

/// Per-user snapshot cache.
pub type Cache = moka::future::Cache<(Uuid, Uuid), Arc<Snapshot>>;

/// A cache holding `users` users.
pub fn cache(users: u64) -> Cache {
    moka::future::Cache::builder().max_capacity(users).build()
}

/// Filters on recall.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only these types.
    pub kinds: Vec<String>,
    /// Only at least this important.
    pub min_importance: Option<f64>,
}

/// Stores a memory.
pub async fn remember(
    db: &DatabaseConnection,
    embedder: &Embedder,
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
    let count = count(db, memory::Entity::find().filter(memory::Column::UserId.eq(user_id))).await?;
    if count >= max_per_user {
        return Err(ApiError::Conflict(format!("at most {max_per_user} memories per person")));
    }
    let vector = embedder.embed(&text).await?;
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
    bump(&txn, tenant_id, user_id).await?;
    txn.commit().await?;
    Ok(row)
}

/// Bumps a user's change counter inside `txn`.
pub async fn bump(txn: &DatabaseTransaction, tenant_id: Uuid, user_id: Uuid) -> ApiResult<()> {
    generation::Entity::insert(generation::ActiveModel {
        user_id: Set(user_id),
        tenant_id: Set(tenant_id),
        generation: Set(1),
    })
    .on_conflict(
        OnConflict::column(generation::Column::UserId)
            .value(
                generation::Column::Generation,
                sea_orm::sea_query::Expr::col((generation::Entity, generation::Column::Generation)).add(1),
            )
            .to_owned(),
    )
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
    bump(&txn, tenant_id, user_id).await?;
    txn.commit().await?;
    Ok(())
}

async fn current_generation(db: &impl ConnectionTrait, user_id: Uuid) -> ApiResult<i64> {
    Ok(generation::Entity::find_by_id(user_id).one(db).await?.map_or(0, |g| g.generation))
}

/// The user's memories, from cache when the change counter has not moved.
/// When it moved because memories were only added, the cached snapshot is
/// extended with the new rows instead of read again in full.
pub async fn snapshot(
    db: &DatabaseConnection,
    cache: &Cache,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Arc<Snapshot>> {
    let generation = current_generation(db, user_id).await?;
    let cached = cache.get(&(tenant_id, user_id)).await;
    if let Some(s) = &cached
        && s.generation == generation
    {
        return Ok(s.clone());
    }
    let extended = match &cached {
        Some(old) => appended(db, old, tenant_id, user_id, generation).await?,
        None => None,
    };
    let s = match extended {
        Some(s) => s,
        None => {
            let mut s = Snapshot { generation, entries: Vec::new(), vectors: Vec::new() };
            s.extend(rows_of(tenant_id, user_id).all(db).await?);
            s
        }
    };
    let s = Arc::new(s);
    cache.insert((tenant_id, user_id), s.clone()).await;
    Ok(s)
}

fn mine(tenant_id: Uuid, user_id: Uuid) -> sea_orm::Select<memory::Entity> {
    memory::Entity::find()
        .filter(memory::Column::TenantId.eq(tenant_id))
        .filter(memory::Column::UserId.eq(user_id))
}

fn rows_of(tenant_id: Uuid, user_id: Uuid) -> sea_orm::Select<memory::Entity> {
    mine(tenant_id, user_id).order_by_asc(memory::Column::Id)
}

/// `COUNT(id)` of a select. SeaORM's own `count()` wraps the whole select
/// (every column, vectors included) in a subquery, which reads ~1 kB per
/// row here.
pub async fn count(db: &impl ConnectionTrait, q: sea_orm::Select<memory::Entity>) -> ApiResult<u64> {
    use sea_orm::{QuerySelect, sea_query::Expr};
    let n: Option<i64> =
        q.select_only().column_as(Expr::col(memory::Column::Id).count(), "n").into_tuple().one(db).await?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// `old` plus the rows added after it, if nothing else changed (the row
/// count says so); `None` when something was removed or inserted out of
/// order, and the caller reads everything again.
async fn appended(
    db: &DatabaseConnection,
    old: &Snapshot,
    tenant_id: Uuid,
    user_id: Uuid,
    generation: i64,
) -> ApiResult<Option<Snapshot>> {
    let Some(last) = old.entries.last().map(|e| e.id) else { return Ok(None) };
    let added = rows_of(tenant_id, user_id).filter(memory::Column::Id.gt(last)).all(db).await?;
    let total = count(db, mine(tenant_id, user_id)).await?;
    if total != (old.entries.len() + added.len()) as u64 {
        return Ok(None);
    }
    let mut s = Snapshot { generation, entries: old.entries.clone(), vectors: old.vectors.clone() };
    s.extend(added);
    Ok(Some(s))
}

impl Snapshot {
    /// Appends rows (in id order).
    fn extend(&mut self, rows: Vec<memory::Model>) {
        self.vectors.reserve(rows.first().map_or(0, |r| r.embedding.len() / 4) * rows.len());
        for r in rows {
            let offset = self.vectors.len();
            self.vectors.extend(embed::from_bytes(&r.embedding));
            self.entries.push(Entry {
                offset,
                dims: r.embedding.len() / 4,
                id: r.id,
                kind: r.kind,
                text: r.text,
                required_scope: r.required_scope,
                importance: r.importance,
                expires_at: r.expires_at,
                created_at: r.created_at,
                embedder: r.embedder,
            });
        }
    }
}

/// Distinct scopes of live memories (what to ask the consent service).
pub fn scopes(s: &Snapshot, now: DateTime<Utc>) -> Vec<String> {
    let mut out: Vec<String> = s
        .entries
        .iter()
        .filter(|e| e.expires_at.is_none_or(|x| x > now))
        .map(|e| e.required_scope.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Ranks `s` against `query` (a unit vector of embedder `embedder`),
/// keeping only `allowed` scopes; top `k` with their scores.
pub fn rank<'a>(
    s: &'a Snapshot,
    query: &[f32],
    embedder: &str,
    allowed: &[String],
    filters: &Filters,
    k: usize,
    now: DateTime<Utc>,
) -> Vec<(&'a Entry, f32)> {
    let mut scored: Vec<(&Entry, f32)> = s
        .entries
        .iter()
        .filter(|e| e.dims == query.len() && e.embedder == embedder && e.expires_at.is_none_or(|x| x > now))
        .filter(|e| allowed.contains(&e.required_scope))
        .filter(|e| filters.kinds.is_empty() || filters.kinds.contains(&e.kind))
        .filter(|e| filters.min_importance.is_none_or(|m| e.importance >= m))
        .map(|e| (e, embed::dot(&s.vectors[e.offset..e.offset + e.dims], query)))
        .collect();
    let k = k.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
}

/// A user's memories, newest first (for listing and export).
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    limit: u64,
) -> ApiResult<Vec<memory::Model>> {
    use sea_orm::QuerySelect;
    Ok(memory::Entity::find()
        .filter(memory::Column::TenantId.eq(tenant_id))
        .filter(memory::Column::UserId.eq(user_id))
        .order_by_desc(memory::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
