//! Serving edges the router and every subgraph share: a coded 413, serving
//! with the peer's address, and graceful shutdown on ctrl-c or SIGTERM.

use std::{future::Future, time::Duration};

use axum::{
    Router,
    http::{StatusCode, header},
    response::Response,
};
use tokio::net::TcpListener;

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
