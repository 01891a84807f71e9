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

/// The HTTP client for every subgraph (one connection pool).
#[derive(Clone)]
pub struct SubgraphClient {
    http: reqwest::Client,
    endpoints: HashMap<String, SubgraphEndpoint>,
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
        Self { http, endpoints }
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
        let endpoint = self.endpoints.get(service).ok_or("no URL configured")?;
        let body = json!({"query": query, "variables": variables});
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
        let mut parsed: Value = serde_json::from_slice(&bytes)
            .map_err(|_| format!("HTTP {status} without a GraphQL response"))?;
        let data = parsed.get_mut("data").map(Value::take).unwrap_or(Value::Null);
        let errors = match parsed.get_mut("errors").map(Value::take) {
            Some(Value::Array(e)) => e,
            _ => Vec::new(),
        };
        if data.is_null() && errors.is_empty() && !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        Ok(SubgraphResponse { data, errors })
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
