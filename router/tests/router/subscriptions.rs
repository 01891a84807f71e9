//! Subscriptions through the router: planned, opened on the owning
//! subgraph, each event's other fields fetched from other subgraphs; a
//! subgraph that drops ends the subscription with a coded error.

use serde_json::json;

use crate::testkit::{TestRouter, Ws};

const POSTED: &str = "subscription($n: Int) { reviewPosted(everyMs: 20, count: $n) { body product { upc name price } author { id name } } }";

#[tokio::test]
async fn each_event_is_completed_from_other_subgraphs_on_both_protocols() {
    let router = TestRouter::builder().start().await;
    for (protocol, start, next) in
        [("graphql-transport-ws", "subscribe", "next"), ("graphql-ws", "start", "data")]
    {
        let mut ws = Ws::connect(&router.url, protocol).await;
        ws.send(json!({"id": "1", "type": start, "payload": {"query": POSTED, "variables": {"n": 3}}})).await;
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let m = ws.next().await;
            assert_eq!(m["type"], next, "{m}");
            let r = &m["payload"]["data"]["reviewPosted"];
            // name and price come from products, the author's name from accounts.
            assert!(r["product"]["name"].is_string() && r["product"]["price"].is_number(), "{m}");
            assert!(r["author"]["name"].is_string(), "{m}");
            bodies.push(r["body"].as_str().expect("body").to_owned());
        }
        assert_eq!(ws.next().await, json!({"id": "1", "type": "complete"}));
        assert_eq!(bodies.len(), 3);
    }
}

#[tokio::test]
async fn a_subgraph_that_drops_ends_the_subscription_with_an_error_then_complete() {
    let router = TestRouter::builder().proxied("reviews").start().await;
    let mut ws = Ws::connect(&router.url, "graphql-transport-ws").await;
    ws.send(json!({"id": "s", "type": "subscribe", "payload": {"query": POSTED}})).await;
    let first = ws.next().await;
    assert_eq!(first["type"], "next", "{first}");
    router.proxies["reviews"].cut();
    let mut last = ws.next().await;
    // Events already in flight may still arrive before the error.
    while last["payload"]["data"]["reviewPosted"].is_object() {
        last = ws.next().await;
    }
    assert_eq!(last["type"], "next", "{last}");
    assert_eq!(last["payload"]["errors"][0]["extensions"]["code"], "SUBGRAPH_UNAVAILABLE");
    assert_eq!(last["payload"]["errors"][0]["extensions"]["serviceName"], "reviews");
    assert_eq!(ws.next().await, json!({"id": "s", "type": "complete"}));
}

#[tokio::test]
async fn closing_the_client_closes_the_subgraph_stream_and_identical_subscriptions_share_one() {
    let router = TestRouter::builder().proxied("reviews").start().await;
    let proxy = &router.proxies["reviews"];
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut ws = Ws::connect(&router.url, "graphql-transport-ws").await;
        ws.send(json!({"id": "s", "type": "subscribe", "payload": {"query": POSTED}})).await;
        assert_eq!(ws.next().await["type"], "next");
        clients.push(ws);
    }
    assert_eq!(router.realtime.feeds.open(), 1, "three identical subscriptions, one feed");
    assert_eq!(proxy.open(), 1, "one upstream socket");
    for ws in &mut clients {
        ws.send(json!({"id": "s", "type": "complete"})).await;
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while (proxy.open() > 0 || router.realtime.feeds.open() > 0) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!((proxy.open(), router.realtime.feeds.open()), (0, 0), "upstream closed");
}
