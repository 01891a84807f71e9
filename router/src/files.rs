//! `GET /files/{subgraph}/{token}`: downloads through a subgraph's signed
//! links, served from the router's origin. The token is the subgraph's to
//! check (it signed it after checking the caller's permission); the
//! router passes the request to that subgraph's `/files/{token}` beside
//! its GraphQL endpoint and returns the answer with the headers a file
//! download needs, so clients never learn subgraph addresses.

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::pipeline::Pipeline;

/// The route, over the router's pipeline (its current graph).
pub fn routes(pipeline: Arc<Pipeline>) -> Router {
    Router::new().route("/files/{subgraph}/{token}", get(download)).with_state(pipeline)
}

/// Headers of the subgraph's answer that reach the client.
const PASSED_BACK: [&str; 6] = [
    "content-type",
    "content-disposition",
    "cache-control",
    "x-content-type-options",
    "x-content-sha256",
    "content-length",
];

fn well_formed(subgraph: &str, token: &str) -> bool {
    (1..=64).contains(&subgraph.len())
        && subgraph.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && (1..=512).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}

async fn download(
    State(pipeline): State<Arc<Pipeline>>,
    Path((subgraph, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !well_formed(&subgraph, &token) {
        return refused(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file");
    }
    let Some(graph) = pipeline.graph.load_full() else {
        return refused(StatusCode::SERVICE_UNAVAILABLE, "NOT_READY", "the router has no supergraph yet");
    };
    let Some((url, timeout)) = graph.client.endpoint(&subgraph) else {
        return refused(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file");
    };
    let Ok(target) = url.join(&format!("files/{token}")) else {
        return refused(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file");
    };
    let mut request = graph.client.http().get(target).timeout(timeout);
    for name in [header::USER_AGENT.as_str(), "x-forwarded-for", "x-request-id"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%subgraph, %error, "file download: subgraph unreachable");
            return refused(
                StatusCode::BAD_GATEWAY,
                "SUBGRAPH_UNAVAILABLE",
                "the file's service did not answer",
            );
        }
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut passed = HeaderMap::new();
    for name in PASSED_BACK {
        if let Some(value) =
            answer.headers().get(name).and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
        {
            passed.insert(name, value);
        }
    }
    match answer.bytes().await {
        Ok(body) => (status, passed, body).into_response(),
        Err(error) => {
            tracing::warn!(%subgraph, %error, "file download: answer cut off");
            refused(StatusCode::BAD_GATEWAY, "SUBGRAPH_UNAVAILABLE", "the file's service did not answer")
        }
    }
}
