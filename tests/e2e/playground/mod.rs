//! The playground at the router's `/`: the page and its assets as HTTP
//! serves them, the example operations against the live schema, and the
//! real page driven in headless Chromium.

mod browser;
mod page;

use backbone::{dev::DevGraph, seed, with_dev_auth};
use subgraph_kit::{
    auth,
    testkit::{TestDb, test_config},
};

/// A seeded dev graph whose playground pre-fills a tenant admin's token,
/// as `backbone` does.
pub(crate) struct Scene {
    pub graph: DevGraph,
    pub token: String,
    _db: TestDb,
}

pub(crate) async fn scene() -> Scene {
    let db = TestDb::new().await.expect("db");
    let graph = DevGraph::start(with_dev_auth(test_config(&db))).await.expect("start");
    let (tenant, users) = seed::seed(&graph.kit).await.expect("seed");
    let admin = users.iter().find(|u| u.role == "tenant_admin").expect("admin");
    let claims = auth::claims_for(&graph.kit.config.auth, tenant, admin.id, &["tenant_admin"], 3600);
    let token = auth::mint_hs256(subgraph_kit::testkit::TEST_SECRET, &claims).expect("token");
    graph.playground.set_demo_token(token.clone());
    Scene { graph, token, _db: db }
}

/// The example documents the page offers, by subgraph.
pub(crate) fn examples() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playground/examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("playground/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "graphql"))
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}
