//! `backbone` dev mode: every subgraph and the front door on random ports
//! over one database, seeded, answering real GraphQL.

use backbone::{dev::DevGraph, seed, with_dev_auth};
use serde_json::json;
use subgraph_consent::config::ConsentConfig;
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

#[tokio::test]
async fn api_keys_are_exchanged_at_the_router_and_stop_working_when_revoked() {
    let db = TestDb::new().await.expect("db");
    let graph = DevGraph::start(with_dev_auth(test_config(&db))).await.expect("start");
    let (tenant, users) = seed::seed(&graph.kit).await.expect("seed");
    let admin = users.iter().find(|u| u.role == "tenant_admin").expect("admin");
    let claims = auth::claims_for(&graph.kit.config.auth, tenant, admin.id, &["tenant_admin"], 60);
    let token = auth::mint_hs256(subgraph_kit::testkit::TEST_SECRET, &claims).expect("token");
    let http = auth::http_client();
    let url = format!("http://{}/graphql", graph.front);
    let post = |body: serde_json::Value, key: Option<&str>, bearer: Option<&str>| {
        let mut req = http.post(&url).json(&body);
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        async move { req.send().await.expect("send").json::<serde_json::Value>().await.expect("json") }
    };
    let created = data(
        post(json!({"query": "mutation { createApiKey(input: {name: \"ehr\", roles: [\"partner\"], scopes: [\"user:read\"]}) { secret apiKey { id } } }"}), None, Some(&token)).await,
    );
    let secret = created["createApiKey"]["secret"].as_str().expect("secret").to_owned();
    let key_id = created["createApiKey"]["apiKey"]["id"].as_str().expect("id").to_owned();

    let users_query = json!({"query": "{ users(first: 3) { edges { node { email } } } }"});
    let seen = data(post(users_query.clone(), Some(&secret), None).await);
    assert_eq!(seen["users"]["edges"].as_array().expect("edges").len(), 3);
    // The key's scope still narrows what its role allows.
    let narrowed = post(json!({"query": "{ tenant { name } }"}), Some(&secret), None).await;
    assert_eq!(subgraph_kit::testkit::error_codes(&narrowed), ["FORBIDDEN"]);
    let bogus = post(
        users_query.clone(),
        Some("bbk_000000000000_0000000000000000000000000000000000000000000000000000000000000000"),
        None,
    )
    .await;
    assert_eq!(subgraph_kit::testkit::error_codes(&bogus), ["UNAUTHENTICATED"]);

    let revoke = json!({"query": "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", "variables": {"id": key_id}});
    assert!(post(revoke, None, Some(&token)).await.get("errors").is_none());
    // The router may reuse its cached token, but the subgraph checks the key.
    let refused = post(users_query, Some(&secret), None).await;
    assert_eq!(subgraph_kit::testkit::error_codes(&refused), ["UNAUTHENTICATED"], "{refused}");
}

/// The one list of subgraphs drives dev mode: every subgraph in
/// `backbone::subgraphs::ALL` is served, under its own name, exporting the
/// SDL its `Subgraph` implementation builds, and is one of the DSAR data
/// services; nothing is served that is not in the list.
#[tokio::test]
async fn dev_mode_serves_exactly_the_subgraphs_of_the_one_list() {
    let db = TestDb::new().await.expect("db");
    let graph = DevGraph::start(with_dev_auth(test_config(&db))).await.expect("start");
    let served: Vec<&str> = graph.subgraphs.iter().map(|s| s.name).collect();
    assert_eq!(served, backbone::subgraphs::names(), "served in the list's order");
    let mut unique = served.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), served.len(), "names are unique: {served:?}");
    let consent: ConsentConfig =
        graph.kit.config.sections.get(subgraph_consent::NAME).expect("consent table");
    let services: Vec<&str> = consent.data_services.iter().map(|s| s.name.as_str()).collect();
    let keeping: Vec<&str> =
        backbone::subgraphs::ALL.iter().filter(|s| s.keeps_personal_data()).map(|s| s.name()).collect();
    assert_eq!(services, keeping, "every subgraph that keeps personal data answers DSAR calls");
    assert!(keeping.contains(&"scheduling") && keeping.contains(&"billing"), "{keeping:?}");

    let http = auth::http_client();
    for (subgraph, s) in backbone::subgraphs::ALL.iter().zip(&graph.subgraphs) {
        let res: serde_json::Value = http
            .post(format!("http://{}/graphql", s.addr))
            .json(&json!({"query": "{ _service { sdl } }"}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            data(res)["_service"]["sdl"].as_str(),
            Some(subgraph.sdl(&graph.kit).as_str()),
            "{} serves its own SDL",
            s.name
        );
    }
}
