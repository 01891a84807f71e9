//! The REST layer for older clients: `METHOD /v1/...` routes, each running
//! one stored GraphQL operation ([`table`]) through the router's own
//! pipeline, so REST reaches nothing GraphQL cannot and is held to the same
//! authentication, limits and plans. Path parameters, the query string and
//! the body become variables ([`input`]); the answer is the operation's
//! data or a coded error with its HTTP status ([`answer`]); mutations take
//! an `Idempotency-Key` ([`idempotency`]); `/v1/events` streams the
//! caller's events ([`events`]); `/v1/openapi.json` describes it all
//! ([`openapi`]) and `/v1/docs` shows it.

pub mod answer;
pub mod events;
pub mod idempotency;
pub mod input;
pub mod openapi;
mod schemas;
pub mod table;

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{RawPathParams, State},
    http::{HeaderMap, Uri, header},
    response::{IntoResponse, Response},
    routing::{MethodFilter, get, on},
};
use backbone_schema::ErrorCode;
use parking_lot::Mutex;

use self::{
    answer::Reply,
    idempotency::{Claim, Idempotency},
    input::Sent,
    table::Table,
};
use crate::{pipeline::Pipeline, request::GraphQLRequest};

/// The REST layer's state.
pub struct Rest {
    /// The pipeline every route runs through.
    pub pipeline: Arc<Pipeline>,
    /// Feeds and subscription limits, for `/v1/events`.
    pub realtime: Arc<crate::subscribe::Realtime>,
    /// The routes.
    pub table: Table,
    /// Kept answers of mutations sent with an `Idempotency-Key`.
    pub idempotency: Idempotency,
    /// The OpenAPI document, and the graph it was made for.
    openapi: Mutex<Option<(std::sync::Weak<crate::graph::LiveGraph>, Bytes)>>,
}

impl Rest {
    /// The REST layer of `table` over `pipeline`.
    pub fn new(
        pipeline: Arc<Pipeline>,
        realtime: Arc<crate::subscribe::Realtime>,
        table: Table,
        idempotency: Idempotency,
    ) -> Self {
        Self { pipeline, realtime, table, idempotency, openapi: Mutex::new(None) }
    }
}

/// The routes of `rest`, the OpenAPI document and a coded 404 for any
/// other `/v1/...` path.
pub fn routes(rest: Arc<Rest>) -> Router {
    let mut router = Router::new()
        .route("/v1/openapi.json", get(openapi_json))
        .route("/v1/events", get(events::serve))
        .route("/v1/docs", get(|| reference("index.html")))
        .route(
            "/v1/docs/{file}",
            get(|axum::extract::Path(file): axum::extract::Path<String>| reference_file(file)),
        )
        .route("/v1/{*rest}", axum::routing::any(|| async { not_found() }));
    for (i, route) in rest.table.routes.iter().enumerate() {
        let Ok(filter) = MethodFilter::try_from(route.method.clone()) else { continue };
        let handler =
            move |State(rest): State<Arc<Rest>>,
                  params: RawPathParams,
                  uri: Uri,
                  headers: HeaderMap,
                  body: Bytes| async move { serve(&rest, i, params, uri, headers, body).await };
        router = router.route(&route.template, on(filter, handler));
    }
    router
        .method_not_allowed_fallback(|| async {
            Reply::coded(ErrorCode::BadUserInput, "METHOD_NOT_ALLOWED", "this path does not take that method")
        })
        .with_state(rest)
}

/// The reference page's files (Swagger UI, vendored), served with a
/// policy that lets the page load nothing from outside the router.
const REFERENCE: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../../assets/swagger-ui/index.html")),
    ("init.js", "text/javascript", include_bytes!("../../assets/swagger-ui/init.js")),
    (
        "swagger-ui-bundle.js",
        "text/javascript",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    ("swagger-ui.css", "text/css", include_bytes!("../../assets/swagger-ui/swagger-ui.css")),
];

/// No outside origin: scripts and styles from the router only (Swagger UI
/// sets some inline styles), images from the router or `data:`.
const REFERENCE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

async fn reference_file(file: String) -> Response {
    reference(&file).await
}

async fn reference(file: &str) -> Response {
    let Some((_, content_type, bytes)) = REFERENCE.iter().find(|(name, _, _)| *name == file) else {
        return not_found().into_response();
    };
    (
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CONTENT_SECURITY_POLICY, REFERENCE_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response()
}

fn not_found() -> Reply {
    Reply::coded(ErrorCode::NotFound, "NO_SUCH_ROUTE", "no such route; see /v1/openapi.json")
}

async fn serve(
    rest: &Rest,
    i: usize,
    params: RawPathParams,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let route = &rest.table.routes[i];
    let Some(graph) = rest.pipeline.graph.load_full() else {
        return Reply::error(&crate::error::PipelineError::NotReady).into_response();
    };
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|ct| {
        ct.trim_start().to_ascii_lowercase().starts_with("application/json") || ct.contains("+json")
    });
    let sent = Sent {
        path: params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        query: uri.query(),
        body: &body,
        json,
    };
    let variables = match input::variables(route, &graph.inputs, sent) {
        Ok(v) => v,
        Err(e) => return Reply::error(&e).into_response(),
    };
    drop(graph);
    let key = idempotency_key(&headers, route);
    let fingerprint = key.map(|_| {
        let text = serde_json::to_string(&variables).unwrap_or_default();
        xxhash_rust::xxh3::xxh3_64(format!("{i}\n{text}").as_bytes())
    });
    if let (Some(key), Some(fingerprint)) = (key, fingerprint)
        && let Claim::Answer(reply) = rest.idempotency.claim(key, fingerprint).await
    {
        let mut response = reply.into_response();
        response.headers_mut().insert("idempotent-replayed", header::HeaderValue::from_static("true"));
        return response;
    }
    let request = GraphQLRequest {
        query: Some(route.operation.text.clone()),
        operation_name: Some(route.operation.name.clone()),
        variables: Some(serde_json::Value::Object(variables)),
        extensions: None,
    };
    let outcome = rest.pipeline.handle(request, &headers, false).await;
    let reply = Reply::from_outcome(route, outcome);
    if let (Some(key), Some(fingerprint)) = (key, fingerprint) {
        rest.idempotency.finish(key, fingerprint, &reply).await;
    }
    reply.into_response()
}

/// The key of a mutation's `Idempotency-Key`, bound to the credential
/// that sent it (or, without one, the client address).
fn idempotency_key(headers: &HeaderMap, route: &table::Route) -> Option<u128> {
    if route.operation.kind != table::Kind::Mutation {
        return None;
    }
    let key = headers.get("idempotency-key")?.as_bytes();
    let credential = headers
        .get(header::AUTHORIZATION)
        .or_else(|| headers.get("x-api-key"))
        .or_else(|| headers.get(backbone_edge::client_ip::FORWARDED_FOR))
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let mut material = Vec::with_capacity(credential.len() + key.len() + 1);
    material.extend_from_slice(credential);
    material.push(0);
    material.extend_from_slice(key);
    Some(xxhash_rust::xxh3::xxh3_128(&material))
}

async fn openapi_json(State(rest): State<Arc<Rest>>) -> Response {
    let Some(graph) = rest.pipeline.graph.load_full() else {
        return Reply::error(&crate::error::PipelineError::NotReady).into_response();
    };
    let cached = rest
        .openapi
        .lock()
        .as_ref()
        .filter(|(made_for, _)| std::ptr::eq(made_for.as_ptr(), Arc::as_ptr(&graph)))
        .map(|(_, d)| d.clone());
    let document = match cached {
        Some(d) => d,
        None => {
            let d = Bytes::from(openapi::document(&rest.table, &graph));
            *rest.openapi.lock() = Some((Arc::downgrade(&graph), d.clone()));
            d
        }
    };
    ([(header::CONTENT_TYPE, "application/json")], document).into_response()
}
