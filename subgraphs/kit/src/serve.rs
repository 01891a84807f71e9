//! Serving an app: health and readiness, request ids, body limits, tracing
//! and graceful shutdown, the same for every subgraph and the router.

use axum::{
    Router,
    extract::State,
    http::{HeaderName, Request, StatusCode},
    routing::get,
};
use backbone_schema::headers;
use sea_orm::DatabaseConnection;
use tower::ServiceBuilder;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::db;

pub use backbone_edge::serve::{coded_413, serve, shutdown_signal};

/// Wraps `app` with `/health` (process up), `/ready` (database reachable),
/// request ids (`x-request-id`, generated when absent, echoed back and put
/// in the request's log span) and a body limit (413 above `body_limit`).
pub fn with_edges(app: Router, db: DatabaseConnection, body_limit: usize) -> Router {
    let request_id = HeaderName::from_static(headers::REQUEST_ID);
    let health =
        Router::new().route("/health", get(|| async { "ok" })).route("/ready", get(ready)).with_state(db);
    app.merge(health).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(headers::REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(RequestBodyLimitLayer::new(body_limit)),
    )
    .layer(axum::middleware::map_response(coded_413))
}

async fn ready(State(db): State<DatabaseConnection>) -> (StatusCode, &'static str) {
    if db::ping(&db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
