//! Serving an app: health and readiness, request ids, body limits, tracing
//! and graceful shutdown, the same for every subgraph and the router.

use axum::{
    Router,
    extract::State,
    http::{Request, StatusCode},
    routing::get,
};
use sea_orm::DatabaseConnection;
use tower::ServiceBuilder;
use tower_http::{limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::db;

pub use backbone_edge::serve::{coded_413, serve, shutdown_signal};

/// Wraps `app` with `/health` (process up), `/ready` (database reachable),
/// request ids (`x-request-id`, [`backbone_edge::request_id`]: the
/// router's, or a fresh one; echoed back and put in the request's log
/// span) and a body limit (413 above `body_limit`).
pub fn with_edges(app: Router, db: DatabaseConnection, body_limit: usize) -> Router {
    let health =
        Router::new().route("/health", get(|| async { "ok" })).route("/ready", get(ready)).with_state(db);
    app.merge(health)
        .layer(
            ServiceBuilder::new()
                // Failures logged inside the request id's span.
                .layer(TraceLayer::new_for_http().make_span_with(|_: &Request<_>| tracing::Span::current()))
                .layer(RequestBodyLimitLayer::new(body_limit)),
        )
        .layer(axum::middleware::map_response(coded_413))
        .layer(axum::middleware::from_fn(backbone_edge::request_id::layer_continuing_trace))
}

async fn ready(State(db): State<DatabaseConnection>) -> (StatusCode, &'static str) {
    if db::ping(&db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
