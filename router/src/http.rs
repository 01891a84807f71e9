//! The router's HTTP edge: `POST /graphql` (everything), `GET /graphql`
//! (queries; a browser gets the playground when it is on), the playground
//! and REST routes, `/health`, `/ready`, CORS and
//! the body limit. Responses are `application/graphql-response+json` when
//! the client accepts it (with meaningful statuses), else
//! `application/json` with 200.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{
        Query, State,
        ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection},
    },
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::{
    cors::{AllowOrigin, Any, CorsLayer},
    limit::RequestBodyLimitLayer,
};

use backbone_edge::client_ip::{TrustedProxies, rewrite_forwarded_for};

use crate::{
    error::PipelineError,
    pipeline::Pipeline,
    playground::Playground,
    request::{GraphQLRequest, Outcome},
    subscribe::{self, Realtime, protocol::Protocol},
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What the HTTP app serves from: the request pipeline, and the real-time
/// side (feeds, per-tenant subscription counts) for WebSocket upgrades.
#[derive(Clone)]
pub struct Served {
    /// Queries and mutations, and admission of subscriptions.
    pub pipeline: Arc<Pipeline>,
    /// Open subscription feeds and their limits.
    pub realtime: Arc<Realtime>,
    /// The playground, when served: a browser's `GET /graphql` gets it.
    pub playground: Option<Arc<Playground>>,
}

/// The router app over `pipeline`, with `realtime` for subscriptions, and
/// the REST layer and the playground when given.
pub fn app(
    pipeline: Arc<Pipeline>,
    realtime: Arc<Realtime>,
    rest: Option<Arc<crate::rest::Rest>>,
    playground: Option<Arc<Playground>>,
) -> Router {
    let limit = pipeline.config.body_limit_bytes;
    let cors = cors(&pipeline.config.cors_allow_origins);
    // Validated at start (`Config::validate`).
    let trusted = TrustedProxies::parse(&pipeline.config.trusted_proxies).unwrap_or_default();
    let rest = rest.map(crate::rest::routes).unwrap_or_default();
    let page = playground.clone().map(crate::playground::routes).unwrap_or_default();
    Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .with_state(Served { pipeline: pipeline.clone(), realtime, playground })
        .merge(page)
        .merge(crate::files::routes(pipeline))
        .merge(rest)
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::map_response(backbone_edge::serve::coded_413))
        .layer(axum::middleware::from_fn_with_state(trusted, rewrite_forwarded_for))
        .layer(axum::middleware::from_fn(backbone_edge::request_id::layer))
        .layer(cors)
}

fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(backbone_schema::headers::REQUEST_ID),
        ])
        .expose_headers([HeaderName::from_static(backbone_schema::headers::REQUEST_ID)]);
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

async fn ready(State(Served { pipeline: p, .. }): State<Served>) -> (StatusCode, &'static str) {
    if p.graph.load().is_some() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "no supergraph")
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

async fn get_graphql(
    State(Served { pipeline: p, realtime, playground }): State<Served>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    Query(params): Query<GetParams>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        let offered = headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok());
        let Some(protocol) = Protocol::negotiate(offered) else {
            return (StatusCode::BAD_REQUEST, "speak graphql-transport-ws or graphql-ws").into_response();
        };
        return upgrade
            .protocols([protocol.name()])
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .on_upgrade(move |socket| subscribe::serve(socket, p, realtime, protocol, headers))
            .into_response();
    }
    let accepts_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if let Some(playground) = playground.filter(|_| params.query.is_none() && accepts_html) {
        return playground.page();
    }
    let variables = match params.variables.as_deref().map(serde_json::from_str::<serde_json::Value>) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return respond(&headers, PipelineError::BadRequest("variables must be JSON".into()).into());
        }
    };
    let request = GraphQLRequest {
        query: params.query,
        operation_name: params.operation_name,
        variables,
        extensions: None,
    };
    let outcome = p.handle(request, &headers, true).await;
    respond(&headers, outcome)
}

async fn post_graphql(
    State(Served { pipeline: p, .. }): State<Served>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: GraphQLRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return respond(
                &headers,
                PipelineError::BadRequest(format!("body is not a GraphQL request: {e}")).into(),
            );
        }
    };
    let outcome = p.handle(request, &headers, false).await;
    respond(&headers, outcome)
}

fn respond(headers: &HeaderMap, outcome: Outcome) -> Response {
    let modern = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE));
    let (status, content_type) = if modern {
        (StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK), GRAPHQL_RESPONSE)
    } else if outcome.status == 405 {
        (StatusCode::METHOD_NOT_ALLOWED, "application/json")
    } else if outcome.status == 429 {
        // Clients and proxies back off on the status, whatever they accept.
        (StatusCode::TOO_MANY_REQUESTS, "application/json")
    } else {
        (StatusCode::OK, "application/json")
    };
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], outcome.body).into_response();
    if let Some(seconds) = outcome.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
    }
    response
}
