//! Talking to subgraphs: pooled keep-alive HTTP, per-subgraph timeouts,
//! and failures turned into coded errors instead of hangs.

use std::{collections::HashMap, time::Duration};

use serde_json::{Map, Value, json};

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
    endpoints: HashMap<String, SubgraphEndpoint>,
    local: HashMap<String, std::sync::Arc<dyn LocalSubgraph>>,
}

/// A subgraph's answer.
pub(crate) struct SubgraphResponse {
    pub data: Value,
    pub errors: Vec<Value>,
}

impl SubgraphClient {
    /// A client for `endpoints` keyed by subgraph name.
    pub fn new(endpoints: HashMap<String, SubgraphEndpoint>) -> Self {
        let http = subgraph_kit::auth::http_client_builder()
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_else(|_| subgraph_kit::auth::http_client());
        Self { http, endpoints, local: HashMap::new() }
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
        variables: Map<String, Value>,
    ) -> Option<SubgraphResponse> {
        match self.try_send(run, service, query, variables).await {
            Ok(r) => Some(r),
            Err(reason) => {
                tracing::warn!(subgraph = service, %reason, "subgraph request failed");
                run.errors.lock().push(json!({
                    "message": format!("subgraph {service:?} is unavailable: {reason}"),
                    "extensions": {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": service},
                }));
                None
            }
        }
    }

    async fn try_send(
        &self,
        run: &Run<'_>,
        service: &str,
        query: &str,
        variables: Map<String, Value>,
    ) -> Result<SubgraphResponse, String> {
        let body = json!({"query": query, "variables": variables});
        if let Some(local) = self.local.get(service) {
            return Ok(split(local.execute(body, run.headers).await));
        }
        let endpoint = self.endpoints.get(service).ok_or("no URL configured")?;
        let response = self
            .http
            .post(&endpoint.url)
            .headers(run.headers.clone())
            .header("content-type", "application/json")
            .timeout(endpoint.timeout)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    format!("no answer within {:?}", endpoint.timeout)
                } else {
                    "connection failed".to_owned()
                }
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|_| "response body interrupted".to_owned())?;
        let parsed: Value = serde_json::from_slice(&bytes)
            .map_err(|_| format!("HTTP {status} without a GraphQL response"))?;
        let response = split(parsed);
        if response.data.is_null() && response.errors.is_empty() && !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        Ok(response)
    }
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
