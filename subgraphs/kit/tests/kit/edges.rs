//! Health, readiness, request ids and the body limit, on a real server.

use subgraph_kit::{serve::with_edges, testkit::TestApp};

#[tokio::test]
async fn health_ready_and_request_ids() {
    let app =
        TestApp::start(|kit| with_edges(axum::Router::new(), kit.db.clone(), 1024)).await.expect("start");
    let base = format!("http://{}", app.addr);
    let health = app.http.get(format!("{base}/health")).send().await.expect("health");
    assert_eq!(health.status(), 200);
    let generated = health
        .headers()
        .get("x-request-id")
        .expect("request id generated")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(uuid::Uuid::parse_str(&generated).expect("uuid").get_version_num(), 4);
    let echoed =
        app.http.get(format!("{base}/ready")).header("x-request-id", "abc-123").send().await.expect("ready");
    assert_eq!(echoed.status(), 200);
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");

    let big = app.http.post(format!("{base}/health")).body(vec![b'x'; 4096]).send().await.expect("post");
    assert_eq!(big.status(), 413);

    // With the database gone, the process is healthy but not ready.
    app.kit.db.clone().close().await.expect("close");
    assert_eq!(app.http.get(format!("{base}/health")).send().await.expect("health").status(), 200);
    assert_eq!(app.http.get(format!("{base}/ready")).send().await.expect("ready").status(), 503);
}
