//! The data contract every subgraph that keeps personal data implements,
//! so a DSAR or a retention rule reaches all of them the same way:
//! export a user's data as JSON, erase it and report counts, purge a data
//! type by age. A person is their user id and the addresses they can be
//! reached at ([`Person::contacts`], gathered from every subgraph first),
//! so rows that name them only by an address (an anonymous complaint's
//! contact) are found too. Served at `/internal/data/*` behind the shared secret
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
use backbone_entities::platform::{dead_event, outbox};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Condition, Expr, ExprTrait, Func},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ApiError, ApiResult, Kit, validate::contains_pattern};

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

/// Whose data, as the export and erase calls name it: a [`Subject`] and
/// the contact addresses (emails, phone numbers) every subgraph knows for
/// them. Addresses compare case-insensitively.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Person {
    /// The person's tenant.
    pub tenant_id: Uuid,
    /// The person's user id.
    pub user_id: Uuid,
    /// Their addresses, lower-cased (empty when no subgraph knows any).
    #[serde(default)]
    pub contacts: Vec<String>,
}

impl Person {
    /// The person with `contacts`, trimmed, lower-cased and deduplicated.
    pub fn new(who: Subject, contacts: impl IntoIterator<Item = String>) -> Self {
        let mut contacts: Vec<String> =
            contacts.into_iter().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()).collect();
        contacts.sort();
        contacts.dedup();
        Self { tenant_id: who.tenant_id, user_id: who.user_id, contacts }
    }

    /// The tenant and user alone.
    pub fn subject(&self) -> Subject {
        Subject { tenant_id: self.tenant_id, user_id: self.user_id }
    }

    /// Rows whose free-text `column` (JSON data, a payload) holds the
    /// person's id or one of their addresses, in any case.
    pub fn named_in<C: ColumnTrait>(&self, column: C) -> Condition {
        let mut any = Condition::any().add(column.like(contains_pattern(&self.user_id.to_string())));
        for contact in &self.contacts {
            any = any.add(Expr::expr(Func::lower(Expr::col(column))).like(contains_pattern(contact)));
        }
        any
    }
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

    /// The addresses this subgraph knows `who` by (an account's email).
    async fn contacts(&self, _db: &DatabaseConnection, _who: Subject) -> ApiResult<Vec<String>> {
        Ok(Vec::new())
    }

    /// Everything this subgraph keeps about `who`, as JSON.
    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value>;

    /// Removes (or, where the tenant's record must stay, unlinks) every row
    /// of `who`, inside `txn`; returns counts per table.
    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts>;

    /// Purges (or counts) rows of `purge.data_type` older than `purge.before`.
    /// Called only with a type from [`DataContract::data_types`].
    async fn purge(&self, db: &DatabaseConnection, purge: &Purge) -> ApiResult<u64>;
}

/// `/internal/data/{types,contacts,export,erase,purge}` over `contract`.
pub fn routes(kit: Kit, contract: Arc<dyn DataContract>) -> Router {
    Router::new()
        .route("/internal/data/types", post(types))
        .route("/internal/data/contacts", post(contacts))
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

async fn contacts(State((kit, c)): State<Shared>, headers: HeaderMap, Json(who): Json<Subject>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    match c.contacts(&kit.db, who).await {
        Ok(found) => Json(found).into_response(),
        Err(e) => failure(e),
    }
}

async fn export(State((kit, c)): State<Shared>, headers: HeaderMap, Json(who): Json<Person>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    match c.export(&kit.db, &who).await {
        Ok(data) => Json(data).into_response(),
        Err(e) => failure(e),
    }
}

async fn erase(State((kit, c)): State<Shared>, headers: HeaderMap, Json(who): Json<Person>) -> Response {
    if let Some(r) = refused(&kit, &headers) {
        return r;
    }
    let run = async {
        let txn = kit.db.begin().await?;
        let mut counts = c.erase(&txn, &who).await?;
        let (events, dead) = erase_events(&txn, &who).await?;
        if events > 0 {
            *counts.entry("outbox".into()).or_default() += events;
        }
        if dead > 0 {
            *counts.entry("dead_events".into()).or_default() += dead;
        }
        crate::db::commit(txn).await?;
        crate::db::scrub_log(&kit.db).await?;
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
    let run = async {
        let count = c.purge(&kit.db, &p).await?;
        crate::db::scrub_log(&kit.db).await?;
        Ok::<_, ApiError>(count)
    };
    match run.await {
        Ok(count) => Json(Purged { count }).into_response(),
        Err(e) => failure(e),
    }
}

/// Events of the tenant this person caused or whose payload names their id
/// or one of their addresses, published or not: an event still waiting for
/// the relay would otherwise carry them to consumers after their erasure.
/// Parked events (`dead_events`) naming them go too. Returns both counts.
async fn erase_events(txn: &DatabaseTransaction, who: &Person) -> ApiResult<(u64, u64)> {
    let res = outbox::Entity::delete_many()
        .filter(outbox::Column::TenantId.eq(who.tenant_id))
        .filter(
            Condition::any()
                .add(outbox::Column::Actor.eq(who.user_id))
                .add(who.named_in(outbox::Column::Payload)),
        )
        .exec(txn)
        .await?;
    let dead = dead_event::Entity::delete_many()
        .filter(dead_event::Column::TenantId.eq(who.tenant_id))
        .filter(who.named_in(dead_event::Column::Envelope))
        .exec(txn)
        .await?;
    Ok((res.rows_affected, dead.rows_affected))
}

/// Counts as a JSON-friendly map from `(table, rows)` pairs.
pub fn counts<const N: usize>(pairs: [(&str, u64); N]) -> Counts {
    pairs.into_iter().map(|(t, n)| (t.to_owned(), n)).collect()
}
