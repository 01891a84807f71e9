//! Serving an app: health and readiness, request ids, body limits, tracing
//! and graceful shutdown, the same for every subgraph and the router.

use std::{future::Future, time::Duration};

use axum::{
    Router,
    extract::State,
    http::{HeaderName, Request, StatusCode, header},
    response::Response,
    routing::get,
};
use backbone_schema::headers;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::db;

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

/// Turns the body limit's bare 413 into a GraphQL error clients can read:
/// `BAD_USER_INPUT` with reason `PAYLOAD_TOO_LARGE`. Layered outside the
/// limit, by the router as by every subgraph.
pub async fn coded_413(response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let body = serde_json::json!({"errors": [{
        "message": "the request body is larger than this service accepts",
        "extensions": {"code": backbone_schema::ErrorCode::BadUserInput.as_str(), "reason": "PAYLOAD_TOO_LARGE"},
    }]});
    // The status and headers (the request id among them) stay.
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

async fn ready(State(db): State<DatabaseConnection>) -> (StatusCode, &'static str) {
    if db::ping(&db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish. Handlers see the peer's address
/// ([`crate::client_ip::rewrite_forwarded_for`] reads it).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; draining");
    // Give load balancers a moment to notice before the listener closes.
    tokio::time::sleep(Duration::from_millis(100)).await;
}
