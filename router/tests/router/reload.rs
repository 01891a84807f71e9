//! Hot reload: a changed supergraph file is picked up; a broken one keeps
//! the old graph.

use std::time::Duration;

use backbone_edge::{auth::http_client, config::SubgraphConfig};
use backbone_router::{
    compose::{SubgraphSdl, compose},
    server::{RouterServer, RouterSettings},
};
use serde_json::{Value, json};

use crate::testkit::TEST_SECRET;

use crate::testkit::TestRouter;

async fn ask(http: &reqwest::Client, url: &str, query: &str) -> Value {
    http.post(url).json(&json!({"query": query})).send().await.expect("send").json().await.expect("json")
}

#[tokio::test]
async fn a_changed_supergraph_is_swapped_in_and_a_broken_one_is_ignored() {
    // The test subgraphs keep running behind a TestRouter; this test runs a
    // second router over a supergraph file it rewrites.
    let subgraphs = TestRouter::builder().start().await;
    let sdls: Vec<SubgraphSdl> = backbone_test_subgraphs::sdls()
        .into_iter()
        .map(|(name, sdl)| SubgraphSdl { name: name.into(), url: subgraphs.urls[name].clone(), sdl })
        .collect();
    let small = compose(&sdls[..2]).expect("accounts + products");
    let full = compose(&sdls).expect("all");
    let dir = tempfile_dir();
    let file = dir.join("supergraph.graphql");
    std::fs::write(&file, &small).expect("write");

    let (url, stop, poller) = start_router(|c| c.router.supergraph_path = Some(file.clone())).await;
    let http = http_client();

    let before = ask(&http, &url, "{ reviews { body } }").await;
    assert_eq!(before["errors"][0]["extensions"]["reason"], "GRAPHQL_VALIDATION_FAILED", "{before}");

    std::fs::write(&file, &full).expect("write");
    let mut swapped = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if ask(&http, &url, "{ reviews { body } }").await["data"]["reviews"][0]["body"] == "Love it" {
            swapped = true;
            break;
        }
    }
    assert!(swapped, "new supergraph not picked up");

    std::fs::write(&file, "this is not a supergraph").expect("write");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after = ask(&http, &url, "{ reviews { body } }").await;
    assert_eq!(after["data"]["reviews"][0]["body"], "Love it", "the old graph keeps serving: {after}");
    let _ = stop.send(());
    poller.await.expect("poller stops");
}

/// A polling router (1 s) from `adjust`ed config: its URL, a stop switch
/// and the poller task.
async fn start_router(
    adjust: impl FnOnce(&mut RouterSettings),
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let mut config = RouterSettings::default();
    config.auth.hs256_secret = Some(TEST_SECRET.to_owned().into());
    config.router.poll_interval_seconds = 1;
    adjust(&mut config);
    let server = RouterServer::build(&config, true).await.expect("router");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let poller = server.spawn_poller(async move {
        let _ = stopped.await;
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    let app = server.app;
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, stop, poller)
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bb-reload-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

#[tokio::test]
async fn a_subgraph_whose_live_sdl_changes_is_recomposed() {
    use std::sync::{Arc, Mutex};
    let link = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])"#;
    let sdl = Arc::new(Mutex::new(format!("{link}\ntype Query {{ ping: String }}")));
    let served = sdl.clone();
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let served = served.clone();
            async move {
                let q = body["query"].as_str().unwrap_or_default().to_owned();
                let sdl = served.lock().expect("lock").clone();
                axum::Json(if q.contains("_service") {
                    json!({"data": {"_service": {"sdl": sdl}}})
                } else {
                    json!({"data": {"ping": "ping", "pong": "pong"}})
                })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let sub_url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (url, stop, poller) = start_router(move |c| {
        c.router.subgraphs = vec![SubgraphConfig { name: "pinger".into(), url: sub_url, sdl_path: None }];
    })
    .await;
    let http = http_client();

    assert_eq!(ask(&http, &url, "{ ping }").await["data"]["ping"], "ping");
    assert_eq!(
        ask(&http, &url, "{ pong }").await["errors"][0]["extensions"]["reason"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    *sdl.lock().expect("lock") = format!("{link}\ntype Query {{ ping: String pong: String }}");
    let mut recomposed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if ask(&http, &url, "{ pong }").await["data"]["pong"] == "pong" {
            recomposed = true;
            break;
        }
    }
    assert!(recomposed, "changed subgraph SDL not picked up");
    let _ = stop.send(());
    poller.await.expect("poller stops");
}
