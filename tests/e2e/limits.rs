//! Limits agree end to end: what the router accepts never fails later as
//! an outage, and what it refuses is refused as GraphQL JSON with a code.

use serde_json::{Value, json};
use subgraph_kit::testkit::error_codes;

use crate::realtime::scene::Scene;

const FILE: &str = "mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { trackingCode } }";

fn complaint(description: String) -> Value {
    json!({"i": {"category": "billing", "subject": "Too long", "description": description}})
}

#[tokio::test]
async fn what_the_router_accepts_never_fails_as_an_outage() {
    let scene = Scene::start().await;
    let router_limit = scene.graph.kit.config.router.body_limit_bytes;
    // Just under the router's limit: the subgraph must take it too, and
    // answer for the field, not be reported unavailable.
    for size in [30_000, router_limit - 4_096] {
        let res = scene.gql(Some("patient"), FILE, complaint("x".repeat(size))).await;
        assert_eq!(error_codes(&res), ["BAD_USER_INPUT"], "{size} bytes: {res}");
        let message = res["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("description"), "{size} bytes: {message}");
    }
    // Over it: 413, as GraphQL JSON with a code, from the router and from a
    // subgraph alike.
    let body = json!({"query": FILE, "variables": complaint("x".repeat(router_limit + 1))});
    let subgraph = scene.graph.subgraphs.iter().find(|s| s.name == "complaints").expect("complaints").addr;
    let subgraph_limit = scene.graph.kit.config.http.body_limit_bytes;
    let huge = json!({"query": FILE, "variables": complaint("x".repeat(subgraph_limit + 1))});
    for (url, body) in [
        (format!("http://{}/graphql", scene.graph.front), &body),
        (format!("http://{subgraph}/graphql"), &huge),
    ] {
        let res = scene.http.post(&url).json(body).send().await.expect("send");
        assert_eq!(res.status(), 413, "{url}");
        let answer: Value = res.json().await.expect("GraphQL JSON");
        assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{url}: {answer}");
        assert_eq!(answer["errors"][0]["extensions"]["reason"], "PAYLOAD_TOO_LARGE", "{url}: {answer}");
    }
}
