//! The memory schema: remember, recall, forget.

use async_graphql::{Context, ID, Object, Result, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use subgraph_kit::{
    ApiError, ApiResult,
    graphql::{allow, uuid},
    pagination::Page,
};

use backbone_entities::memory::entry as memory;

use crate::domain::{
    recall::{self, Hit, Recalled},
    snapshot::Filters,
    state::MemoryState,
    store::{self, NewMemory},
};

/// A remembered fact.
#[derive(SimpleObject)]
pub struct Memory {
    /// The memory's id; `forget` takes it.
    pub id: ID,
    /// What kind of memory, e.g. `fact`, `preference` or `goal`; recall can filter on it.
    #[graphql(name = "type")]
    pub kind: String,
    /// What was remembered (at most 4,000 bytes).
    pub text: String,
    /// Consent scope needed to recall it.
    pub required_scope: String,
    /// 0..1.
    pub importance: f64,
    /// Forgotten after.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was remembered.
    pub created_at: DateTime<Utc>,
}

impl From<memory::Model> for Memory {
    fn from(m: memory::Model) -> Self {
        Self {
            id: m.id.into(),
            kind: m.kind,
            text: m.text,
            required_scope: m.required_scope,
            importance: m.importance,
            expires_at: m.expires_at,
            created_at: m.created_at,
        }
    }
}

/// What a recall found, and what it could not look at.
#[derive(SimpleObject)]
pub struct Recall {
    /// The best matches, most similar first.
    pub hits: Vec<RecallHit>,
    /// Scopes the caller holds memories in but does not consent to now:
    /// nothing from them was searched. Empty when consent covers every one.
    pub excluded_scopes: Vec<String>,
}

impl From<Recalled> for Recall {
    fn from(r: Recalled) -> Self {
        Self { hits: r.hits.into_iter().map(RecallHit::from).collect(), excluded_scopes: r.excluded_scopes }
    }
}

impl From<Hit> for RecallHit {
    fn from(h: Hit) -> Self {
        let memory = Memory {
            id: h.id.into(),
            kind: h.kind,
            text: h.text,
            required_scope: h.required_scope,
            importance: h.importance,
            expires_at: h.expires_at,
            created_at: h.created_at,
        };
        Self { memory, score: f64::from(h.score) }
    }
}

/// A recalled memory and how close it is to the query.
#[derive(SimpleObject)]
pub struct RecallHit {
    /// The memory.
    pub memory: Memory,
    /// Cosine similarity, -1..1.
    pub score: f64,
}

/// Which embedder this deployment uses.
#[derive(SimpleObject)]
pub struct EmbedderInfo {
    /// Name stored with vectors, e.g. `local-hash-v1-256`.
    pub name: String,
    /// Whether it is the built-in local embedder (no provider configured).
    pub local: bool,
}

fn state<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a MemoryState> {
    ctx.data::<MemoryState>().map_err(|_| ApiError::Internal("memory state missing".into()))
}

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The caller's memories most similar to `query` whose scope they
    /// consent to now, best first, and the scopes left out for want of
    /// consent. CONSENT_REQUIRED when they consent to none of their scopes.
    async fn recall(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = 5)] k: i32,
        #[graphql(default)] types: Vec<String>,
        min_importance: Option<f64>,
    ) -> Result<Recall> {
        let a = allow(ctx, "memory", "read").await?;
        let s = state(ctx)?;
        let k = subgraph_kit::validate::bounded("k", i64::from(k), 100)? as usize;
        if query.trim().is_empty() || query.len() > 4_000 {
            return Err(ApiError::bad_input("query", "1 to 4000 characters").into());
        }
        let filters = Filters { kinds: types, min_importance };
        let q = recall::Query {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            text: &query,
            k,
            filters: &filters,
        };
        Ok(recall::recall(a.kit, s, q).await?.into())
    }

    /// The caller's memories, newest first.
    async fn memories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Memory>> {
        let a = allow(ctx, "memory", "read").await?;
        let page = Page::new(first, after)?;
        let rows = store::list(&a.kit.db, a.caller.tenant_id, a.caller.user_id, &page).await?;
        Ok(rows.connection(|m| (m.id.to_string(), Memory::from(m))))
    }

    /// The embedder in use.
    async fn memory_embedder(&self, ctx: &Context<'_>) -> Result<EmbedderInfo> {
        let s = state(ctx)?;
        Ok(EmbedderInfo { name: s.embedder.name(), local: s.embedder.is_local() })
    }
}

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Remembers a fact for the caller.
    #[allow(clippy::too_many_arguments)]
    async fn remember(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(name = "type", default_with = "\"fact\".to_string()")] kind: String,
        #[graphql(default_with = "\"memory\".to_string()")] required_scope: String,
        #[graphql(default = 0.5)] importance: f64,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Memory> {
        let a = allow(ctx, "memory", "write").await?;
        let s = state(ctx)?;
        let m = NewMemory { kind, text, required_scope, importance, expires_at };
        let max = s.config.max_per_user;
        let row = store::remember(
            &a.kit.db,
            &s.embedder,
            &s.pgvector,
            a.caller.tenant_id,
            a.caller.user_id,
            m,
            max,
        )
        .await?;
        Ok(row.into())
    }

    /// Forgets one of the caller's memories, for good.
    async fn forget(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let a = allow(ctx, "memory", "write").await?;
        store::forget(&a.kit.db, a.caller.tenant_id, a.caller.user_id, uuid("id", &id)?).await?;
        Ok(true)
    }
}
