//! Recall for one person: their memories most similar to a query, from the
//! scopes they consent to now (asked of the consent service on each call),
//! through pgvector's index on Postgres that has it and the cached scan
//! otherwise. Scopes they hold memories in but do not consent to are named
//! in the answer, so an app can say why something is missing.

use chrono::{DateTime, Utc};
use subgraph_kit::{ApiError, ApiResult, Kit};
use uuid::Uuid;

use super::{
    pgvector,
    snapshot::{self, Filters},
    state::MemoryState,
};

/// One recalled memory and its cosine similarity to the query.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Row id.
    pub id: Uuid,
    /// The memory's type.
    pub kind: String,
    /// What was remembered.
    pub text: String,
    /// The consent scope it needs.
    pub required_scope: String,
    /// 0..1.
    pub importance: f64,
    /// Forgotten after.
    pub expires_at: Option<DateTime<Utc>>,
    /// Remembered at.
    pub created_at: DateTime<Utc>,
    /// Cosine similarity, -1..1.
    pub score: f32,
}

/// The best hits and the scopes left out for want of consent.
#[derive(Debug, Clone)]
pub struct Recalled {
    /// Best first, at most `k`.
    pub hits: Vec<Hit>,
    /// Scopes of the person's live memories they do not consent to now,
    /// sorted.
    pub excluded_scopes: Vec<String>,
}

/// One recall request.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The person's tenant.
    pub tenant_id: Uuid,
    /// The person.
    pub user_id: Uuid,
    /// What to look for.
    pub text: &'a str,
    /// How many hits at most.
    pub k: usize,
    /// Type and importance filters.
    pub filters: &'a Filters,
}

/// Recalls for `q`. `CONSENT_REQUIRED` when the person has memories but
/// consents to none of their scopes: saying so beats an empty answer that
/// looks like forgetting.
pub async fn recall(kit: &Kit, state: &MemoryState, q: Query<'_>) -> ApiResult<Recalled> {
    let Query { tenant_id, user_id, text, k, filters } = q;
    let now = Utc::now();
    let indexed = state.pgvector.enabled(&kit.db).await?;
    let snapshot = if indexed {
        None
    } else {
        Some(snapshot::snapshot(&kit.db, &state.cache, tenant_id, user_id).await?)
    };
    let scopes = match &snapshot {
        Some(s) => snapshot::scopes(s, now),
        None => pgvector::scopes(&kit.db, tenant_id, user_id, now).await?,
    };
    if scopes.is_empty() {
        return Ok(Recalled { hits: Vec::new(), excluded_scopes: Vec::new() });
    }
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let granted = subgraph_kit::internal::consents(
        kit.config.services.consent_url.as_deref(),
        &state.consent,
        tenant_id,
        user_id,
        &refs,
    )
    .await?;
    let (allowed, excluded): (Vec<_>, Vec<_>) = scopes.into_iter().zip(granted).partition(|(_, g)| *g);
    let allowed: Vec<String> = allowed.into_iter().map(|(s, _)| s).collect();
    let excluded_scopes: Vec<String> = excluded.into_iter().map(|(s, _)| s).collect();
    if allowed.is_empty() {
        return Err(ApiError::Coded {
            code: backbone_schema::ErrorCode::ConsentRequired,
            message: "the person has not consented to recall from any scope of their memories".into(),
        });
    }
    let query = state.embedder.embed(text).await?;
    let name = state.embedder.name();
    let ask = snapshot::Ask { query: &query, embedder: &name, allowed: &allowed, filters, k, now };
    let hits = match snapshot {
        None => pgvector::rank(&kit.db, tenant_id, user_id, &ask)
            .await?
            .into_iter()
            .map(|h| Hit {
                id: h.memory.id,
                kind: h.memory.kind,
                text: h.memory.text,
                required_scope: h.memory.required_scope,
                importance: h.memory.importance,
                expires_at: h.memory.expires_at,
                created_at: h.memory.created_at,
                score: h.score,
            })
            .collect(),
        Some(snapshot) => snapshot::rank(&snapshot, &ask)
            .into_iter()
            .map(|(e, score)| Hit {
                id: e.id,
                kind: e.kind.clone(),
                text: e.text.clone(),
                required_scope: e.required_scope.clone(),
                importance: e.importance,
                expires_at: e.expires_at,
                created_at: e.created_at,
                score,
            })
            .collect(),
    };
    Ok(Recalled { hits, excluded_scopes })
}
