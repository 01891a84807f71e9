//! Federation: the exported SDL declares the shared entities and matches
//! the checked-in file; `_entities` resolves them.

use serde_json::json;
use subgraph_kit::testkit::{data, error_codes};

use crate::support::{provision, start, uuid};

#[tokio::test]
async fn service_sdl_matches_the_checked_in_file() {
    let app = start().await;
    let live = data(app.gql(None, "{ _service { sdl } }", json!({})).await.expect("q"));
    let sdl = live["_service"]["sdl"].as_str().expect("sdl");
    assert!(
        sdl.contains("extend schema @link(") && sdl.contains("url: \"https://specs.apollo.dev/federation/v2"),
        "federation v2: {sdl}"
    );
    assert!(sdl.contains("type Tenant @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("type User @key(fields: \"id\")"), "{sdl}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/graphql/tenants.graphql");
    if std::env::var("BACKBONE_UPDATE_SDL").is_ok() {
        std::fs::write(path, sdl).expect("write sdl");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == sdl,
        "schema/graphql/tenants.graphql is out of date; run `BACKBONE_UPDATE_SDL=1 cargo test -p subgraph-tenants service_sdl` and commit it"
    );
}

#[tokio::test]
async fn entities_resolve_by_key_and_need_a_caller() {
    let app = start().await;
    let t = provision(&app, "Pi", 10).await;
    let query = "query($reps: [_Any!]!) { _entities(representations: $reps) { __typename ... on Tenant { id name } ... on User { id email } } }";
    let reps =
        json!({"reps": [{"__typename": "Tenant", "id": t.id}, {"__typename": "User", "id": t.admin_id}]});
    let d = data(app.gql(Some(&t.admin_token), query, reps.clone()).await.expect("q"));
    assert_eq!(d["_entities"][0]["name"], "Pi");
    assert_eq!(uuid(&d["_entities"][1]["id"]), t.admin_id);
    assert_eq!(d["_entities"][1]["email"], "admin@pi.test");
    let anonymous = app.gql(None, query, reps).await.expect("q");
    assert!(error_codes(&anonymous).iter().all(|c| c == "UNAUTHENTICATED"), "{anonymous}");
    assert!(!error_codes(&anonymous).is_empty());
}
