//! The data contract every subgraph that keeps personal data implements,
//! so a DSAR or a retention rule reaches all of them the same way:
//! export a user's data as JSON, erase it and report counts, purge a data
//! type by age. Served at `/internal/data/*` behind the shared secret
//! ([`crate::internal`]); the consent subgraph's jobs are the callers.

use std::{collections::BTreeMap, sync::Arc};

use async_trait::async_trait;
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use backbone_entities::platform::outbox;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::Condition,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ApiError, ApiResult, Kit};

/// Rows removed per table.
pub type Counts = BTreeMap<String, u64>;

/// Whose data: one user of one tenant.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Subject {
    /// Tenant.
    pub tenant_id: Uuid,
    /// User.
    pub user_id: Uuid,
}

/// One retention pass over one data type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Purge {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Data type key.
    pub data_type: String,
    /// Rows created before this go.
    pub before: DateTime<Utc>,
    /// Users on legal hold: their rows stay.
    pub exceptions: Vec<Uuid>,
    /// Count only.
    pub dry_run: bool,
}

/// What one subgraph answers for a purge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Purged {
    /// Rows purged (or, in a dry run, that would be).
    pub count: u64,
}

/// A subgraph's side of DSAR and retention.
#[async_trait]
pub trait DataContract: Send + Sync + 'static {
    /// Data types this subgraph purges by age (keys of retention rules).
    fn data_types(&self) -> &'static [&'static str];

    /// Everything this subgraph keeps about `who`, as JSON.
    async fn export(&self, db: &DatabaseConnection, who: Subject) -> ApiResult<serde_json::Value>;

    /// Removes (or, where the tenant's record must stay, unlinks) every row
    /// of `who`, inside `txn`; returns counts per table.
    async fn erase(&self, txn: &DatabaseTransaction, who: Subject) -> ApiResult<Counts>;

    /// Purges (or counts) rows of `purge.data_type` older than `purge.before`.
    /// Called only with a type from [`DataContract::data_types`].
    async fn purge(&self, db: &DatabaseConnection, purge: &Purge) -> ApiResult<u64>;
}

/// `/internal/data/{types,export,erase,purge}` over `contract`.
pub fn routes(kit: Kit, contract: Arc<dyn DataContract>) -> Router {
    Router::new()
        .route("/internal/data/types", post(types))
        .route("/internal/data/export", post(export))
        .route("/internal/data/erase", post(erase))
        .route("/internal/data/purge", post(purge))
        .with_state((kit, contract))
}

type Shared = (Kit, Arc<dyn DataContract>);

/// The refusal of a call without the shared secret, if it lacks it.
fn refused(kit: &Kit, headers: &HeaderMap) -> Option<Response> {
    (!crate::internal::authorized(headers, &kit.internal_token))
        .then(|| (StatusCode::UNAUTHORIZED, "internal token missing or wrong").into_response())
}

fn failure(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let ApiError::Internal(cause) = &e {
        tracing::error!(%cause, "data contract failed");
    }
    (status, e.to_string()).into_response()
}

async fn types(State((kit, c)): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    Json(c.data_types()).into_response()
}

async fn export(State((kit, c)): State<Shared>, headers: HeaderMap, Json(who): Json<Subject>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    match c.export(&kit.db, who).await {
        Ok(data) => Json(data).into_response(),
        Err(e) => failure(e),
    }
}

async fn erase(State((kit, c)): State<Shared>, headers: HeaderMap, Json(who): Json<Subject>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    let run = async {
        let txn = kit.db.begin().await?;
        let mut counts = c.erase(&txn, who).await?;
        let events = erase_published_events(&txn, who).await?;
        if events > 0 {
            *counts.entry("outbox".into()).or_default() += events;
        }
        txn.commit().await?;
        Ok::<_, ApiError>(counts)
    };
    match run.await {
        Ok(counts) => Json(counts).into_response(),
        Err(e) => failure(e),
    }
}

async fn purge(State((kit, c)): State<Shared>, headers: HeaderMap, Json(p): Json<Purge>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    if !c.data_types().contains(&p.data_type.as_str()) {
        return failure(ApiError::bad_input("dataType", format!("unknown data type {}", p.data_type)));
    }
    match c.purge(&kit.db, &p).await {
        Ok(count) => Json(Purged { count }).into_response(),
        Err(e) => failure(e),
    }
}

/// Published events this user caused or that name them. Unpublished ones
/// stay: they are on their way to consumers, whose own erasure covers them.
async fn erase_published_events(txn: &DatabaseTransaction, who: Subject) -> ApiResult<u64> {
    let needle = format!("%{}%", who.user_id);
    let res = outbox::Entity::delete_many()
        .filter(outbox::Column::TenantId.eq(who.tenant_id))
        .filter(outbox::Column::PublishedAt.is_not_null())
        .filter(
            Condition::any()
                .add(outbox::Column::Actor.eq(who.user_id))
                .add(outbox::Column::Payload.like(needle)),
        )
        .exec(txn)
        .await?;
    Ok(res.rows_affected)
}

/// Counts as a JSON-friendly map from `(table, rows)` pairs.
pub fn counts<const N: usize>(pairs: [(&str, u64); N]) -> Counts {
    pairs.into_iter().map(|(t, n)| (t.to_owned(), n)).collect()
}
