//! The memory subgraph: `remember`, `recall` (consent-aware, ranked by
//! similarity), `forget`; embeddings from the provider or the built-in local
//! embedder; the data contract for DSAR and retention (DESIGN.md §7).

pub mod domain;
pub mod graphql;

use std::{sync::Arc, time::Duration};

use async_graphql::{EmptySubscription, Schema};
use axum::Router;
use backbone_entities::memory::entry as memory;
use chrono::Utc;
use subgraph_kit::{ApiError, ApiResult, Kit, internal::InternalClient};
use uuid::Uuid;

pub use graphql::{MutationRoot, QueryRoot};

use domain::{
    data::MemoryData,
    embed::Embedder,
    pgvector::PgVector,
    snapshot::{self, Cache, Filters},
};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "memory";

/// The memory schema type.
pub type MemorySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Shared by resolvers: the embedder, the vector cache, the consent client.
#[derive(Clone)]
pub struct MemoryState {
    /// Embeds memories and queries.
    pub embedder: Embedder,
    /// Users' vectors.
    pub cache: Cache,
    /// Asks the consent service.
    pub consent: InternalClient,
    /// pgvector, when the database has it.
    pub pgvector: Arc<PgVector>,
}

impl MemoryState {
    /// From the kit's config.
    pub fn new(kit: &Kit) -> Self {
        Self {
            embedder: Embedder::from_config(&kit.config.ai),
            cache: snapshot::cache(kit.config.memory.cache_users),
            consent: InternalClient::new((*kit.internal_token).clone(), Duration::from_secs(5)),
            pgvector: Arc::default(),
        }
    }
}

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> MemorySchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
        .data(MemoryState::new(kit))
        .finish()
}

/// The HTTP app: `/graphql`, `/playground`, `/health`, `/ready` and the
/// data contract.
pub fn app(kit: &Kit) -> Router {
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone())
        .merge(subgraph_kit::contract::routes(kit.clone(), Arc::new(MemoryData)));
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports.
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}

/// Recall for one user: consented scopes only, best `k` first.
pub async fn recall(
    kit: &Kit,
    state: &MemoryState,
    tenant_id: Uuid,
    user_id: Uuid,
    query: &str,
    k: usize,
    filters: &Filters,
) -> ApiResult<Vec<graphql::RecallHit>> {
    let now = Utc::now();
    let indexed = state.pgvector.enabled(&kit.db).await?;
    let snapshot = if indexed {
        None
    } else {
        Some(snapshot::snapshot(&kit.db, &state.cache, tenant_id, user_id).await?)
    };
    let scopes = match &snapshot {
        Some(s) => snapshot::scopes(s, now),
        None => domain::pgvector::scopes(&kit.db, tenant_id, user_id, now).await?,
    };
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let granted = subgraph_kit::internal::consents(kit, &state.consent, tenant_id, user_id, &refs).await?;
    let allowed: Vec<String> = scopes.into_iter().zip(granted).filter(|(_, g)| *g).map(|(s, _)| s).collect();
    if allowed.is_empty() {
        // They have memories but consent to none of their scopes: saying
        // so beats an empty answer that looks like forgetting.
        return Err(ApiError::Coded {
            code: backbone_schema::ErrorCode::ConsentRequired,
            message: "the person has not consented to recall from any scope of their memories".into(),
        });
    }
    let q = state.embedder.embed(query).await?;
    let name = state.embedder.name();
    let ask = snapshot::Ask { query: &q, embedder: &name, allowed: &allowed, filters, k, now };
    let Some(snapshot) = snapshot else {
        let hits = domain::pgvector::rank(&kit.db, tenant_id, user_id, &ask).await?;
        return Ok(hits
            .into_iter()
            .map(|h| graphql::RecallHit { memory: memory_of(h.memory), score: f64::from(h.score) })
            .collect());
    };
    let hits = snapshot::rank(&snapshot, &ask);
    Ok(hits
        .into_iter()
        .map(|(e, score)| graphql::RecallHit {
            memory: graphql::Memory {
                id: e.id.into(),
                kind: e.kind.clone(),
                text: e.text.clone(),
                required_scope: e.required_scope.clone(),
                importance: e.importance,
                expires_at: e.expires_at,
                created_at: e.created_at,
            },
            score: f64::from(score),
        })
        .collect())
}

/// The API shape of a row.
pub fn memory_of(m: memory::Model) -> graphql::Memory {
    graphql::Memory {
        id: m.id.into(),
        kind: m.kind,
        text: m.text,
        required_scope: m.required_scope,
        importance: m.importance,
        expires_at: m.expires_at,
        created_at: m.created_at,
    }
}
