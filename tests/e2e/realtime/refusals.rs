//! Unauthenticated, forbidden, over-limit and malformed subscription
//! attempts are refused with coded errors, and nothing stalls.

use std::time::Duration;

use backbone::{
    dev::DevOptions,
    wsclient::{WsClient, WsError},
};
use serde_json::json;
use subgraph_kit::testkit::error_codes;

use super::scene::{Scene, WITHIN, fast};

const STATUS: &str = "subscription { complaintStatusChanged { to } }";

#[tokio::test]
async fn bad_credentials_close_the_connection_with_a_coded_reason() {
    let scene = Scene::start().await;
    let bad = json!({"Authorization": "Bearer not-a-token"});
    match WsClient::connect(&scene.ws_url(), "graphql-transport-ws", bad.clone()).await {
        Err(WsError::Closed { code, reason }) => {
            assert_eq!(code, 4403);
            assert!(reason.starts_with("UNAUTHENTICATED"), "{reason}");
        }
        other => panic!("expected a 4403 close, got {:?}", other.map(|_| "connected")),
    }
    match WsClient::connect(&scene.ws_url(), "graphql-ws", bad).await {
        Err(WsError::Other(payload)) => assert!(payload.contains("UNAUTHENTICATED"), "{payload}"),
        other => panic!("expected connection_error, got {:?}", other.map(|_| "connected")),
    }
}

#[tokio::test]
async fn anonymous_and_forbidden_subscriptions_get_coded_errors_then_complete() {
    let scene = Scene::start().await;
    let cases: [(Option<&'static str>, &str, &str); 4] = [
        (None, STATUS, "UNAUTHENTICATED"),
        (Some("partner"), STATUS, "FORBIDDEN"),
        (Some("patient"), "subscription { liveMetrics(intervalSeconds: 1) { openComplaints } }", "FORBIDDEN"),
        (Some("patient"), "subscription { complaintStatusChanged(queue: true) { to } }", "FORBIDDEN"),
    ];
    for (role, query, code) in cases {
        let mut ws = scene.ws(role, "graphql-transport-ws").await;
        ws.subscribe("1", query, json!({})).await.expect("subscribe");
        let refused = ws.next(WITHIN).await.expect("answer");
        assert_eq!(error_codes(&refused["payload"]), [code], "{role:?} {query}: {refused}");
        assert_eq!(ws.next(WITHIN).await.expect("complete")["type"], "complete");
    }
    let bad_interval = "subscription { liveMetrics(intervalSeconds: 0) { openComplaints } }";
    let mut ws = scene.ws(Some("tenant_admin"), "graphql-transport-ws").await;
    ws.subscribe("1", bad_interval, json!({})).await.expect("subscribe");
    let refused = ws.next(WITHIN).await.expect("answer");
    assert_eq!(error_codes(&refused["payload"]), ["BAD_USER_INPUT"], "{refused}");
}

#[tokio::test]
async fn limits_per_connection_and_per_tenant_answer_rate_limited() {
    let adjust = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        c.realtime.max_subscriptions_per_connection = 2;
        c.realtime.max_subscriptions_per_tenant = 3;
    };
    let scene = Scene::start_with(adjust, DevOptions::default()).await;
    let mut one = scene.ws(Some("staff"), "graphql-transport-ws").await;
    for id in ["a", "b", "c"] {
        one.subscribe(id, STATUS, json!({})).await.expect("subscribe");
    }
    let limited = one.next(WITHIN).await.expect("third refused");
    assert_eq!((limited["id"].as_str(), limited["type"].as_str()), (Some("c"), Some("error")), "{limited}");
    assert_eq!(limited["payload"][0]["extensions"]["code"], "RATE_LIMITED");

    let mut two = scene.ws(Some("tenant_admin"), "graphql-ws").await;
    two.subscribe("d", STATUS, json!({})).await.expect("subscribe");
    let mut tenant_limited = None;
    // The tenant holds 2 (a, b); d is the third and allowed, e the fourth.
    two.subscribe("e", STATUS, json!({})).await.expect("subscribe");
    if let Ok(m) = two.next(WITHIN).await {
        tenant_limited = Some(m);
    }
    let m = tenant_limited.expect("fourth refused");
    assert_eq!((m["id"].as_str(), m["type"].as_str()), (Some("e"), Some("error")), "{m}");
    assert_eq!(m["payload"]["extensions"]["code"], "RATE_LIMITED", "legacy carries one error object");
    assert_eq!(scene.graph.realtime.tenant_subscriptions(&scene.tenant.to_string()), 3);
    // Leaving frees the slots.
    one.close().await;
    super::scene::eventually(WITHIN, "slots freed", || async {
        scene.graph.realtime.tenant_subscriptions(&scene.tenant.to_string()) == 1
    })
    .await;
}

#[tokio::test]
async fn wrong_transport_and_malformed_messages_are_refused() {
    let scene = Scene::start().await;
    let over_http = scene.gql(Some("staff"), STATUS, json!({})).await;
    assert_eq!(error_codes(&over_http), ["BAD_USER_INPUT"]);
    assert!(over_http["errors"][0]["message"].as_str().expect("message").contains("WebSocket"));

    // A query over the socket is answered once and completed.
    let mut ws = scene.ws(Some("staff"), "graphql-transport-ws").await;
    ws.subscribe("q", "{ unreadNotificationCount }", json!({})).await.expect("query");
    let answer = ws.next(WITHIN).await.expect("answer");
    assert_eq!(answer["payload"]["data"]["unreadNotificationCount"], 0, "{answer}");
    assert_eq!(ws.next(WITHIN).await.expect("complete")["type"], "complete");
    // Validation errors come back as an error message.
    ws.subscribe("v", "subscription { noSuchField }", json!({})).await.expect("send");
    let invalid = ws.next(WITHIN).await.expect("invalid");
    assert_eq!(invalid["type"], "error");
    assert_eq!(invalid["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // Reusing a live id closes the connection with 4409.
    ws.subscribe("dup", STATUS, json!({})).await.expect("send");
    ws.subscribe("dup", STATUS, json!({})).await.expect("send");
    match ws.next(WITHIN).await {
        Err(WsError::Closed { code, .. }) => assert_eq!(code, 4409),
        other => panic!("expected 4409, got {other:?}"),
    }
    // No connection_init in time: 4408.
    let adjust = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        c.realtime.connection_init_timeout_seconds = 1;
    };
    let quick = Scene::start_with(adjust, DevOptions::default()).await;
    let (mut raw, _) = tokio_tungstenite::connect_async(quick.ws_url()).await.expect("raw connect");
    use futures::StreamExt;
    let closed = tokio::time::timeout(Duration::from_secs(3), raw.next()).await.expect("closed in time");
    match closed {
        Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 4408)
        }
        other => panic!("expected 4408, got {other:?}"),
    }
}
