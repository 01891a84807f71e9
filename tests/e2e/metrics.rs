//! Prometheus metrics (issue 19): served on their own port, never the
//! public one, with what an operator watches: requests by operation and
//! outcome with latency, subgraph fetches by subgraph, the plan cache, open
//! WebSockets and subscriptions, the outbox relay and the bus's lag.
//!
//! The recorder is one per process, and this binary's other tests record
//! into it too: the operation names here are this test's own, counts that
//! others also move are checked as "at least", and gauges only as present.

use backbone::dev::DevOptions;
use serde_json::json;
use subgraph_kit::testkit::TestDb;

use crate::realtime::scene::{Scene, WITHIN, eventually, fast};

/// The value of the series `series` (name and labels as rendered).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}

#[tokio::test]
async fn metrics_are_served_on_their_own_port() {
    let db = TestDb::new().await.expect("db");
    let scene = Scene::on(
        db,
        |c| {
            fast(c);
            c.http.metrics_port = Some(0);
        },
        DevOptions::default(),
    )
    .await;
    let metrics = scene.graph.metrics.expect("served when http.metrics_port is set");
    scene.team("Desk", &["staff"], Some("billing")).await;
    let mut ws = scene.ws(Some("staff"), "graphql-transport-ws").await;
    ws.subscribe("s", "subscription { complaintStatusChanged { to } }", json!({})).await.expect("subscribe");
    eventually(WITHIN, "feed open", || async { scene.graph.realtime.feeds.open() >= 1 }).await;
    let id = scene.file("patient", "billing", "NORMAL").await;
    let read = "query MetricsTestRead($id: ID!) { complaint(id: $id) { status assignee { displayName } } }";
    for _ in 0..3 {
        scene.ok(Some("staff"), read, json!({"id": id})).await;
    }
    let broken = json!({"query": "query MetricsTestBroken { nope }", "operationName": "MetricsTestBroken"});
    let http = subgraph_kit::auth::http_client();
    let router = format!("http://{}/graphql", scene.graph.front);
    let refused: serde_json::Value = http
        .post(&router)
        .bearer_auth(scene.token("staff"))
        .json(&broken)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let code = refused["errors"][0]["extensions"]["code"].as_str().expect("coded").to_owned();
    assert!(scene.set_status("staff", &id, "ACKNOWLEDGED").await.get("errors").is_none());
    ws.next(WITHIN).await.expect("the change is pushed");

    let text = http
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    let has = |series: &str| value(&text, series).unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    assert_eq!(has(r#"backbone_router_requests_total{operation="MetricsTestRead",outcome="ok"}"#), 3.0);
    // Refused before it was parsed: named by the request, counted by code.
    assert_eq!(
        has(&format!(r#"backbone_router_requests_total{{operation="MetricsTestBroken",outcome="{code}"}}"#)),
        1.0
    );
    assert_eq!(has(r#"backbone_router_request_duration_seconds_count{operation="MetricsTestRead"}"#), 3.0);
    assert!(
        has(r#"backbone_router_request_duration_seconds_bucket{operation="MetricsTestRead",le="10"}"#) >= 3.0
    );
    for subgraph in ["complaints", "tenants"] {
        let series =
            format!(r#"backbone_router_subgraph_request_duration_seconds_count{{subgraph="{subgraph}"}}"#);
        assert!(has(&series) >= 3.0, "{subgraph}");
    }
    assert!(has(r#"backbone_router_plan_cache_total{result="hit"}"#) >= 2.0);
    assert!(has(r#"backbone_router_plan_cache_total{result="miss"}"#) >= 1.0);
    // Gauges are exported; their values are not checked here: connections
    // other tests opened before this test installed the recorder close
    // after it, and the decrements land without their increments.
    has("backbone_router_websocket_connections");
    has("backbone_router_subscriptions");
    assert!(has("backbone_outbox_published_total") >= 1.0);
    assert!(has("backbone_outbox_lag_seconds_count") >= 1.0);
    assert!(has("backbone_bus_lag_seconds_count") >= 1.0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(!line.contains(&scene.tenant.to_string()), "a tenant in a label: {line}");
    }

    let public = http.get(format!("http://{}/metrics", scene.graph.front)).send().await.expect("get");
    assert_eq!(public.status(), 404, "never on the public port");
}
