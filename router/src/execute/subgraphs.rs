//! Talking to subgraphs: pooled keep-alive HTTP, per-subgraph timeouts,
//! and failures turned into coded errors instead of hangs.

use crate::error::PipelineError;
use std::{collections::HashMap, time::Duration};

use std::sync::Arc;

use futures::FutureExt;
use serde::{Serialize, ser::SerializeMap};
use serde_json::{Map, Value, json, value::RawValue};

use super::Run;

/// Where a subgraph lives and how long we wait for it.
#[derive(Debug, Clone)]
pub struct SubgraphEndpoint {
    /// GraphQL endpoint URL.
    pub url: String,
    /// Longest wait for one request.
    pub timeout: Duration,
}

/// A subgraph living in the router's own process: the request body in, the
/// GraphQL response out, no HTTP in between.
pub trait LocalSubgraph: Send + Sync {
    /// Executes `{query, variables}` and returns `{data, errors}`.
    fn execute(
        &self,
        body: Value,
        headers: &reqwest::header::HeaderMap,
    ) -> futures::future::BoxFuture<'static, Value>;
}

/// The HTTP client for every subgraph (one connection pool), plus any
/// in-process subgraphs.
#[derive(Clone)]
pub struct SubgraphClient {
    http: reqwest::Client,
    /// URLs parsed once (not per request) with their timeouts; a subgraph
    /// whose URL does not parse is absent and answers "no valid URL".
    targets: HashMap<String, (reqwest::Url, std::time::Duration)>,
    local: HashMap<String, std::sync::Arc<dyn LocalSubgraph>>,
    inflight: std::sync::Arc<super::inflight::InFlight>,
}

/// The variables of one subgraph request: values taken from the client's
/// request, plus representation lists already serialized while they were
/// deduplicated (so they are not serialized twice).
#[derive(Default)]
pub(crate) struct Variables {
    pub values: Map<String, Value>,
    pub raw: Vec<(String, Box<RawValue>)>,
}

impl Serialize for Variables {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len() + self.raw.len()))?;
        for (k, v) in &self.values {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in &self.raw {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Request<'a> {
    query: &'a str,
    variables: &'a Variables,
}

/// A subgraph's answer.
pub(crate) struct SubgraphResponse {
    pub data: Value,
    pub errors: Vec<Value>,
}

impl SubgraphClient {
    /// The URL and timeout of `service`, when it is reached over HTTP.
    pub fn endpoint(&self, service: &str) -> Option<(&reqwest::Url, Duration)> {
        self.targets.get(service).map(|(u, t)| (u, *t))
    }

    /// The pooled HTTP client subgraphs are reached with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A client for `endpoints` keyed by subgraph name.
    pub fn new(endpoints: HashMap<String, SubgraphEndpoint>) -> Self {
        let http = backbone_edge::auth::http_client_builder()
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_else(|_| backbone_edge::auth::http_client());
        let targets = endpoints
            .into_iter()
            .filter_map(|(name, e)| Some((name, (reqwest::Url::parse(&e.url).ok()?, e.timeout))))
            .collect();
        Self { http, targets, local: HashMap::new(), inflight: Default::default() }
    }

    /// Serves `name` in-process instead of over HTTP.
    pub fn set_local(&mut self, name: &str, subgraph: std::sync::Arc<dyn LocalSubgraph>) {
        self.local.insert(name.to_owned(), subgraph);
    }

    /// Sends one operation. On failure an error naming the subgraph (code
    /// SUBGRAPH_UNAVAILABLE) is recorded and `None` returned.
    pub(crate) async fn send(
        &self,
        run: &Run<'_>,
        service: &str,
        query: &str,
        variables: Variables,
        dedupe: bool,
    ) -> Option<SubgraphResponse> {
        let started = std::time::Instant::now();
        // Only a trace shows this span: an untraced request makes none.
        let span = if backbone_edge::traces::in_trace() {
            tracing::info_span!("subgraph", subgraph = service)
        } else {
            tracing::Span::none()
        };
        let sent = {
            use tracing::Instrument;
            self.try_send(run, service, query, variables, dedupe).instrument(span).await
        };
        crate::telemetry::fetch(service, started, sent.is_ok());
        match sent {
            Ok(r) => Some(r),
            Err(reason) => {
                tracing::warn!(subgraph = service, %reason, "subgraph request failed");
                let unavailable = PipelineError::SubgraphUnavailable { service: service.to_owned(), reason };
                run.errors.lock().extend(unavailable.graphql());
                None
            }
        }
    }

    async fn try_send(
        &self,
        run: &Run<'_>,
        service: &str,
        query: &str,
        variables: Variables,
        dedupe: bool,
    ) -> Result<SubgraphResponse, String> {
        let body = Request { query, variables: &variables };
        if let Some(local) = self.local.get(service) {
            let body = serde_json::to_value(&body).map_err(|_| "request not serializable".to_owned())?;
            return Ok(split(local.execute(body, run.headers).await));
        }
        let (url, timeout) = self.targets.get(service).cloned().ok_or("no valid URL configured")?;
        let bytes = serde_json::to_vec(&body).map_err(|_| "request not serializable".to_owned())?;
        let mut headers = run.headers.clone();
        // Inside the fetch's span: the subgraph's spans hang under it.
        backbone_edge::traces::inject(&mut headers);
        let request =
            self.http.post(url).headers(headers).header("content-type", "application/json").timeout(timeout);
        if !dedupe {
            return fetch(request, bytes, timeout).await.map(|v| split(Arc::unwrap_or_clone(v)));
        }
        let key = super::inflight::key(service, &bytes, run.headers);
        let shared = self.inflight.join(key, move || fetch(request, bytes, timeout).boxed()).await?;
        // The last one holding the answer takes it; the others copy it.
        Ok(split(Arc::try_unwrap(shared).unwrap_or_else(|a| (*a).clone())))
    }
}

/// One HTTP exchange with a subgraph, owning everything it needs so it can
/// be shared by deduplicated callers.
async fn fetch(
    request: reqwest::RequestBuilder,
    body: Vec<u8>,
    timeout: std::time::Duration,
) -> Result<Arc<Value>, String> {
    let response = request.body(body).send().await.map_err(|e| {
        if e.is_timeout() { format!("no answer within {timeout:?}") } else { "connection failed".to_owned() }
    })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|_| "response body interrupted".to_owned())?;
    let parsed: Value =
        serde_json::from_slice(&bytes).map_err(|_| format!("HTTP {status} without a GraphQL response"))?;
    let empty = parsed.get("data").is_none_or(Value::is_null) && parsed.get("errors").is_none();
    if empty && !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    Ok(Arc::new(parsed))
}

fn split(mut parsed: Value) -> SubgraphResponse {
    SubgraphResponse {
        data: parsed.get_mut("data").map(Value::take).unwrap_or(Value::Null),
        errors: match parsed.get_mut("errors").map(Value::take) {
            Some(Value::Array(e)) => e,
            _ => Vec::new(),
        },
    }
}

/// Marks an error with the subgraph it came from.
pub(crate) fn tag_service(error: &mut Value, service: &str) {
    if let Value::Object(map) = error {
        let ext = map.entry("extensions").or_insert_with(|| json!({}));
        if let Value::Object(ext) = ext {
            ext.entry("serviceName").or_insert_with(|| json!(service));
        }
    }
}
