//! The consent subgraph: hierarchical consent scopes with an append-only
//! history and signed receipts, `hasConsent`, `User.consents`; DSAR carried
//! across every data service; retention rules and the purge (docs/design.md §7).
//!
//! Besides `/graphql` it serves `/internal/consent/check` (the AI and memory
//! subgraphs ask it before touching a person's data), the data contract at
//! `/internal/data/*`, and package downloads at `/dsar/packages/{token}`.

pub mod domain;
pub mod graphql;

use std::{sync::Arc, time::Duration};

use async_graphql::{EmptySubscription, Schema};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use subgraph_kit::{
    Kit,
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};
use uuid::Uuid;

pub use graphql::{MutationRoot, QueryRoot};

pub use domain::state::ConsentState;
use domain::{data::ConsentData, dsar, records, retention};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "consent";

/// The consent schema type.
pub type ConsentSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit, state: ConsentState) -> ConsentSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
        .data(state)
        .finish()
}

/// The consent subgraph; its workers run DSAR jobs, the expiry sweep and
/// retention.
pub struct Consent;

impl Subgraph for Consent {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    const NAME: &'static str = NAME;

    /// Panics on a malformed `consent.receipt_signing_key`, which
    /// `Config::validate` refuses at start-up first.
    fn schema(&self, kit: &Kit) -> ConsentSchema {
        let state = ConsentState::new(kit).unwrap_or_else(|e| panic!("consent: {e}"));
        schema(kit, state)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(ConsentData))
    }

    fn routes(&self, kit: &Kit) -> Router {
        Router::new()
            .route("/internal/consent/check", post(check))
            .route("/dsar/packages/{token}", get(download))
            .with_state(kit.clone())
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<tokio::task::JoinHandle<()>> {
        vec![tokio::spawn(run_workers(kit.clone(), shutdown))]
    }
}

/// A consent check between services.
#[derive(Debug, Serialize, Deserialize)]
pub struct CheckRequest {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Person.
    pub user_id: Uuid,
    /// Scopes asked.
    pub scopes: Vec<String>,
}

/// The answer: one decision per scope asked, in order.
#[derive(Debug, Serialize, Deserialize)]
pub struct CheckResponse {
    /// Whether the person consents to each scope now.
    pub granted: Vec<bool>,
}

async fn check(State(kit): State<Kit>, headers: HeaderMap, Json(req): Json<CheckRequest>) -> Response {
    if !subgraph_kit::internal::authorized(&headers, &kit.internal_token) {
        return (StatusCode::UNAUTHORIZED, "internal token missing or wrong").into_response();
    }
    if req.scopes.len() > 100 {
        return (StatusCode::BAD_REQUEST, "at most 100 scopes").into_response();
    }
    let now = Utc::now();
    let mut granted = Vec::with_capacity(req.scopes.len());
    for scope in &req.scopes {
        match records::decide(&kit.db, req.tenant_id, req.user_id, scope, now).await {
            Ok(g) => granted.push(g),
            Err(e) => {
                tracing::error!(error = %e, "consent check failed");
                return (StatusCode::INTERNAL_SERVER_ERROR, "consent check failed").into_response();
            }
        }
    }
    Json(CheckResponse { granted }).into_response()
}

async fn download(State(kit): State<Kit>, Path(token): Path<String>) -> Response {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return (StatusCode::NOT_FOUND, "no such package").into_response();
    }
    match dsar::package(&kit.db, &token, Utc::now()).await {
        Ok(Some(p)) => ([(header::CONTENT_TYPE, "application/json")], p).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such package, or its link expired").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "package download failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Background work until `shutdown`: DSAR jobs, the consent-expiry sweep
/// and expired packages (every `consent.job_tick_ms`), retention (every
/// `consent.retention_tick_seconds`).
pub async fn run_workers(kit: Kit, shutdown: impl std::future::Future<Output = ()> + Send + 'static) {
    let state = match ConsentState::new(&kit) {
        Ok(s) => s,
        Err(e) => return tracing::error!(error = %e, "consent workers not started"),
    };
    let cfg = kit.config.consent.clone();
    let ttl = chrono::Duration::hours(cfg.package_ttl_hours);
    let mut jobs = tokio::time::interval(Duration::from_millis(cfg.job_tick_ms.max(10)));
    let mut purge = tokio::time::interval(Duration::from_secs(cfg.retention_tick_seconds.max(1)));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = jobs.tick() => {
                let now = Utc::now();
                if let Err(e) = dsar::run_pending(&kit.db, &state.client, &cfg.data_services, ttl).await {
                    tracing::warn!(error = %e, "DSAR job failed");
                }
                if let Err(e) = records::sweep_expired(&kit.db, now).await {
                    tracing::warn!(error = %e, "consent expiry sweep failed");
                }
                if let Err(e) = dsar::drop_expired_packages(&kit.db, now).await {
                    tracing::warn!(error = %e, "dropping expired packages failed");
                }
            }
            _ = purge.tick() => {
                match retention::run(&kit.db, &state.client, &cfg.data_services, None, Utc::now(), false).await {
                    Ok(lines) => for l in lines.iter().filter(|l| l.count > 0) {
                        tracing::info!(service = %l.service, data_type = %l.data_type, purged = l.count, "retention");
                    },
                    Err(e) => tracing::warn!(error = %e, "retention purge failed"),
                }
            }
        }
    }
}
