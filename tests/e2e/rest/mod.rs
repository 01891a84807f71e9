//! The REST layer end to end: every default route through the router's
//! `/v1/...` over real HTTP, answering what the same GraphQL operation
//! answers, with its error statuses, idempotent replays and the OpenAPI
//! document describing it.

mod errors;
mod events;
mod openapi;
mod routes;

use reqwest::Method;
use serde_json::Value;

use crate::realtime::scene::Scene;

/// A REST call through the router as `role` (`None`: anonymous); returns
/// the status and the JSON body.
pub async fn call(
    scene: &Scene,
    method: Method,
    path: &str,
    role: Option<&'static str>,
    body: Option<Value>,
) -> (u16, Value) {
    let token = role.map(|r| scene.token(r));
    send(scene, method, path, token.as_deref(), body, &[]).await
}

/// A REST call with any token and extra headers.
pub async fn send(
    scene: &Scene,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = scene.http.request(method, format!("http://{}{path}", scene.graph.front));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{path} answered {status} with no JSON: {text}"));
    (status, json)
}

/// The error code of a REST error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(no error)")
}
