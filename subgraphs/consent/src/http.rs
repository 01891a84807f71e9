//! The consent subgraph's routes besides `/graphql`: the consent check
//! other services ask (`/internal/consent/check`, behind the shared
//! secret) and DSAR package downloads by their bearer link.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use subgraph_kit::Kit;
use uuid::Uuid;

use crate::domain::{dsar, records};

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

pub(crate) async fn check(
    State(kit): State<Kit>,
    headers: HeaderMap,
    Json(req): Json<CheckRequest>,
) -> Response {
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

pub(crate) async fn download(State(kit): State<Kit>, Path(token): Path<String>) -> Response {
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
