//! A person's memories cached in process for recall, and brought up to date
//! cheaply when the change marks (`memory_generations`, written in the same
//! transaction as every change, on any replica) move.
//!
//! A snapshot is a list of immutable chunks shared between snapshots
//! (`Arc`), each with its vectors in one contiguous array so the scan
//! streams through memory, plus a per-chunk mask of removed entries. So:
//! - nothing changed: the cached snapshot, after one primary-key read;
//! - only additions (removal epoch unchanged): a range read on the
//!   `(tenant_id, user_id, id)` index for rows after the greatest cached
//!   id, checked against the marks' memory count (an out-of-order insert
//!   from another replica makes it disagree), and the new rows become a
//!   new chunk; small chunks merge like a binary counter, so there are
//!   O(log n) of them and each row is copied O(log n) times in all;
//! - something removed: the person's ids (index only) diffed against the
//!   snapshot; removed entries are masked, added rows fetched by id, and a
//!   chunk more than half masked is rebuilt;
//! - nothing cached, or most rows new: every row read.

use std::{collections::HashSet, sync::Arc};

use backbone_entities::memory::{entry as memory, generation};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use subgraph_kit::ApiResult;
use uuid::Uuid;

use super::{embed, rows};

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
    /// Where the unit vector starts in its chunk's vector array.
    offset: usize,
    /// Its dimensions.
    dims: usize,
}

/// Immutable entries and their vectors.
#[derive(Default)]
struct Chunk {
    entries: Vec<Entry>,
    vectors: Vec<f32>,
}

/// A chunk as one snapshot sees it: which of its entries are removed.
#[derive(Clone)]
struct Part {
    chunk: Arc<Chunk>,
    /// Empty when none is removed, else one flag per entry.
    removed: Vec<bool>,
    live: usize,
}

/// A person's memories at one pair of change marks.
#[derive(Clone)]
pub struct Snapshot {
    generation: i64,
    removal_epoch: i64,
    parts: Vec<Part>,
    /// The greatest id ever in the snapshot, removed or not.
    max_id: Option<Uuid>,
}

/// Per-person snapshot cache.
pub type Cache = moka::future::Cache<(Uuid, Uuid), Arc<Snapshot>>;

/// A cache holding `users` people.
pub fn cache(users: u64) -> Cache {
    moka::future::Cache::builder().max_capacity(users).build()
}

/// When more rows are new than this share of the cached ones, reading
/// everything is cheaper than fetching by id.
const REFETCH_SHARE: usize = 4;

/// The person's memories, from cache when nothing changed, else the cached
/// snapshot brought up to date (see the module header).
pub async fn snapshot(
    db: &impl ConnectionTrait,
    cache: &Cache,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Arc<Snapshot>> {
    let marks = generation::Entity::find_by_id(user_id).one(db).await?;
    let (generation, epoch, total) =
        marks.map_or((0, 0, 0), |g| (g.generation, g.removal_epoch, g.memory_count));
    let cached = cache.get(&(tenant_id, user_id)).await;
    let s = match cached {
        Some(s) if s.generation == generation && s.removal_epoch == epoch => return Ok(s),
        Some(old) => {
            let appended = if old.removal_epoch == epoch {
                appended(db, &old, tenant_id, user_id, total).await?
            } else {
                None
            };
            match appended {
                Some(s) => s,
                None => diffed(db, &old, tenant_id, user_id).await?,
            }
        }
        None => full(db, tenant_id, user_id).await?,
    };
    let s = Arc::new(Snapshot { generation, removal_epoch: epoch, ..s });
    cache.insert((tenant_id, user_id), s.clone()).await;
    Ok(s)
}

fn mine(tenant_id: Uuid, user_id: Uuid) -> sea_orm::Select<memory::Entity> {
    rows::mine(tenant_id, user_id).order_by_asc(memory::Column::Id)
}

async fn full(db: &impl ConnectionTrait, tenant_id: Uuid, user_id: Uuid) -> ApiResult<Snapshot> {
    let mut s = Snapshot { generation: 0, removal_epoch: 0, parts: Vec::new(), max_id: None };
    s.push(mine(tenant_id, user_id).all(db).await?);
    Ok(s)
}

/// `old` plus the rows after its greatest id, if those are all that was
/// added (`total`, the marks' count, says so); `None` otherwise.
async fn appended(
    db: &impl ConnectionTrait,
    old: &Snapshot,
    tenant_id: Uuid,
    user_id: Uuid,
    total: i64,
) -> ApiResult<Option<Snapshot>> {
    let Some(max) = old.max_id else { return Ok(None) };
    let added = mine(tenant_id, user_id).filter(memory::Column::Id.gt(max)).all(db).await?;
    if usize::try_from(total).ok() != Some(old.len() + added.len()) {
        return Ok(None);
    }
    let mut s = old.clone();
    s.push(added);
    Ok(Some(s))
}

/// `old` with removed rows masked and new rows fetched, from a diff of ids.
async fn diffed(
    db: &impl ConnectionTrait,
    old: &Snapshot,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Snapshot> {
    let ids: Vec<Uuid> =
        mine(tenant_id, user_id).select_only().column(memory::Column::Id).into_tuple().all(db).await?;
    let now: HashSet<Uuid> = ids.iter().copied().collect();
    let mut known = HashSet::with_capacity(old.len());
    let mut s = old.clone();
    for part in &mut s.parts {
        let chunk = part.chunk.clone();
        for (i, e) in chunk.entries.iter().enumerate() {
            if part.is_removed(i) {
                continue;
            }
            if now.contains(&e.id) {
                known.insert(e.id);
            } else {
                part.remove(i);
            }
        }
    }
    s.parts.retain(|p| p.live > 0);
    let new: Vec<Uuid> = ids.into_iter().filter(|id| !known.contains(id)).collect();
    if new.len() * REFETCH_SHARE > known.len() {
        return full(db, tenant_id, user_id).await;
    }
    let mut rows = Vec::with_capacity(new.len());
    for batch in new.chunks(500) {
        rows.extend(
            rows::mine(tenant_id, user_id)
                .filter(memory::Column::Id.is_in(batch.iter().copied()))
                .all(db)
                .await?,
        );
    }
    for p in &mut s.parts {
        if p.live * 2 < p.chunk.entries.len() {
            let rebuilt = Part::from_entries(p.live_entries());
            *p = rebuilt;
        }
    }
    s.push(rows);
    Ok(s)
}

impl Part {
    fn is_removed(&self, i: usize) -> bool {
        self.removed.get(i).copied().unwrap_or(false)
    }

    fn remove(&mut self, i: usize) {
        if self.removed.is_empty() {
            self.removed = vec![false; self.chunk.entries.len()];
        }
        self.removed[i] = true;
        self.live -= 1;
    }

    /// Live entries with their vectors.
    fn live_entries(&self) -> impl Iterator<Item = (&Entry, &[f32])> {
        self.chunk
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.is_removed(*i))
            .map(|(_, e)| (e, &self.chunk.vectors[e.offset..e.offset + e.dims]))
    }

    fn from_entries<'a>(entries: impl Iterator<Item = (&'a Entry, &'a [f32])>) -> Self {
        let mut chunk = Chunk::default();
        for (e, v) in entries {
            chunk.entries.push(Entry { offset: chunk.vectors.len(), ..e.clone() });
            chunk.vectors.extend_from_slice(v);
        }
        Self { live: chunk.entries.len(), chunk: Arc::new(chunk), removed: Vec::new() }
    }
}

impl Snapshot {
    /// How many memories (removed ones not counted).
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.live).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every live entry with its unit vector.
    pub fn entries(&self) -> impl Iterator<Item = (&Entry, &[f32])> {
        self.parts.iter().flat_map(Part::live_entries)
    }

    /// Adds rows as a new chunk, then merges trailing chunks while the last
    /// is at least half the size of the one before.
    fn push(&mut self, rows: Vec<memory::Model>) {
        if rows.is_empty() {
            return;
        }
        let mut chunk = Chunk::default();
        chunk.vectors.reserve(rows[0].embedding.len() / 4 * rows.len());
        for r in rows {
            self.max_id = self.max_id.max(Some(r.id));
            let offset = chunk.vectors.len();
            chunk.vectors.extend(embed::from_bytes(&r.embedding));
            chunk.entries.push(Entry {
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
        self.parts.push(Part { live: chunk.entries.len(), chunk: Arc::new(chunk), removed: Vec::new() });
        while let [.., before, last] = self.parts.as_slice()
            && last.live * 2 >= before.live
        {
            let merged = Part::from_entries(before.live_entries().chain(last.live_entries()));
            self.parts.truncate(self.parts.len() - 2);
            self.parts.push(merged);
        }
    }
}

/// Filters on recall.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only these types.
    pub kinds: Vec<String>,
    /// Only at least this important.
    pub min_importance: Option<f64>,
}

/// One recall request, as both ranking paths (the cached scan here and
/// pgvector's index) take it.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// The query, a unit vector of embedder `embedder`.
    pub query: &'a [f32],
    /// Only memories embedded by this embedder.
    pub embedder: &'a str,
    /// Only these scopes (those the person consented to).
    pub allowed: &'a [String],
    /// Type and importance filters.
    pub filters: &'a Filters,
    /// How many hits at most.
    pub k: usize,
    /// Memories expired by now are left out.
    pub now: DateTime<Utc>,
}

/// Distinct scopes of live memories (what to ask the consent service).
pub fn scopes(s: &Snapshot, now: DateTime<Utc>) -> Vec<String> {
    let mut out: Vec<String> = s
        .entries()
        .filter(|(e, _)| e.expires_at.is_none_or(|x| x > now))
        .map(|(e, _)| e.required_scope.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Ranks `s` for `ask`: its top `k` entries with their scores.
pub fn rank<'a>(s: &'a Snapshot, ask: &Ask<'_>) -> Vec<(&'a Entry, f32)> {
    let Ask { query, embedder, allowed, filters, k, now } = *ask;
    let mut scored: Vec<(&Entry, f32)> = s
        .entries()
        .filter(|(e, _)| {
            e.dims == query.len() && e.embedder == embedder && e.expires_at.is_none_or(|x| x > now)
        })
        .filter(|(e, _)| allowed.contains(&e.required_scope))
        .filter(|(e, _)| filters.kinds.is_empty() || filters.kinds.contains(&e.kind))
        .filter(|(e, _)| filters.min_importance.is_none_or(|m| e.importance >= m))
        .map(|(e, v)| (e, embed::dot(v, query)))
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
