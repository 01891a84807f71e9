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
    // Time-ordered, like every id the platform makes.
    assert_eq!(uuid::Uuid::parse_str(&generated).expect("uuid").get_version_num(), 7);
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

#[tokio::test]
async fn graceful_shutdown_lets_in_flight_requests_finish() {
    use std::time::Duration;
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "done"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(subgraph_kit::serve::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    let http = subgraph_kit::auth::http_client();
    let in_flight = tokio::spawn({
        let http = http.clone();
        async move {
            http.get(format!("http://{addr}/slow")).send().await.expect("send").text().await.expect("body")
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = stop.send(());
    assert_eq!(in_flight.await.expect("task"), "done", "the in-flight request completes");
    tokio::time::timeout(Duration::from_secs(2), server)
        .await
        .expect("server stops")
        .expect("join")
        .expect("serve ok");
    assert!(
        http.get(format!("http://{addr}/slow")).send().await.is_err(),
        "no new connections after shutdown"
    );
}

/// Erased rows leave no bytes behind on SQLite: deleted content is
/// overwritten (`secure_delete`), whatever SQLite was compiled with.
#[tokio::test]
async fn sqlite_overwrites_what_it_deletes() {
    use sea_orm::{ConnectionTrait, Statement};
    let db = subgraph_kit::testkit::TestDb::new().await.expect("db");
    if db.is_postgres() {
        return;
    }
    let conn = subgraph_kit::db::connect(&db.url).await.expect("connect");
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(backend, "PRAGMA secure_delete"))
        .await
        .expect("pragma")
        .expect("row");
    let on: i64 = row.try_get_by_index(0).expect("value");
    assert_eq!(on, 1);
}
