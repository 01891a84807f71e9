//! `backbone` dev mode: every subgraph and the front door on random ports
//! over one database, seeded, answering real GraphQL.

use backbone::{dev::DevGraph, seed, with_dev_auth};
use serde_json::json;
use subgraph_kit::{
    auth,
    config::Config,
    testkit::{TestDb, data, test_config},
};

#[tokio::test]
async fn the_dev_graph_serves_the_seeded_tenant_through_the_front_door() {
    let db = TestDb::new().await.expect("db");
    let config: Config = with_dev_auth(test_config(&db));
    let graph = DevGraph::start(config).await.expect("start");
    let (tenant, users) = seed::seed(&graph.kit).await.expect("seed");
    assert_eq!(users.len(), 6, "one user per default role");
    // Seeding twice changes nothing.
    let (again, users_again) = seed::seed(&graph.kit).await.expect("seed again");
    assert_eq!((again, users_again.len()), (tenant, 6));

    let admin = users.iter().find(|u| u.role == "tenant_admin").expect("admin");
    let claims = auth::claims_for(&graph.kit.config.auth, tenant, admin.id, &["tenant_admin"], 60);
    let token = auth::mint_hs256(subgraph_kit::testkit::TEST_SECRET, &claims).expect("token");
    let http = auth::http_client();
    for addr in [graph.front, graph.subgraphs[0].addr] {
        let res: serde_json::Value = http
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&token)
            .json(&json!({"query": "{ tenant { name usage { activeUsers invitedUsers } } }"}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let d = data(res);
        assert_eq!(d["tenant"]["name"], seed::DEMO_TENANT);
        assert_eq!(d["tenant"]["usage"], json!({"activeUsers": 1, "invitedUsers": 5}));
    }
    let page = http.get(format!("http://{}/", graph.front)).send().await.expect("playground");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("Backbone — GraphQL playground"));
    let ready = http.get(format!("http://{}/ready", graph.front)).send().await.expect("ready");
    assert_eq!(ready.status(), 200);
}
