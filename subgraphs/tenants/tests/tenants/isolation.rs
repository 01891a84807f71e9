//! Tenant A can neither read nor change tenant B's rows, by any id or
//! filter, directly or through `_entities`.

use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data, error_codes};

use crate::support::{Tenant, provision, start, user_with_role, uuid};

struct Pair {
    app: TestApp,
    a: Tenant,
    b: Tenant,
    b_user: uuid::Uuid,
}

async fn pair() -> Pair {
    let app = start().await;
    let a = provision(&app, "Tenant A", 10).await;
    let b = provision(&app, "Tenant B", 10).await;
    let (b_user, _) = user_with_role(&app, &b, "secret-patient@b.test", "patient").await;
    Pair { app, a, b, b_user }
}

impl Pair {
    async fn as_a(&self, query: &str, vars: Value) -> Value {
        self.app.gql(Some(&self.a.admin_token), query, vars).await.expect("request")
    }

    async fn b_audit_count(&self) -> usize {
        let res = self
            .app
            .gql(
                Some(&self.b.admin_token),
                "{ auditEvents(first: 100) { edges { node { id } } } }",
                json!({}),
            )
            .await
            .expect("q");
        data(res)["auditEvents"]["edges"].as_array().expect("edges").len()
    }
}

#[tokio::test]
async fn users_of_another_tenant_are_invisible_and_untouchable() {
    let p = pair().await;
    let before = p.b_audit_count().await;
    let read = data(p.as_a("query($id: ID!) { user(id: $id) { id } }", json!({"id": p.b_user})).await);
    assert!(read["user"].is_null());
    let search = data(
        p.as_a(r#"{ users(filter: {search: "secret-patient"}) { edges { node { id } } } }"#, json!({})).await,
    );
    assert_eq!(search["users"]["edges"], json!([]));
    let by_role =
        data(p.as_a(r#"{ users(filter: {role: "patient"}) { edges { node { id } } } }"#, json!({})).await);
    assert_eq!(by_role["users"]["edges"], json!([]));
    for (query, vars) in [
        (
            "mutation($id: ID!) { updateUser(id: $id, input: {displayName: \"x\"}) { id } }",
            json!({"id": p.b_user}),
        ),
        ("mutation($id: ID!) { deactivateUser(id: $id) { id } }", json!({"id": p.b_user})),
        (
            "mutation($id: ID!) { assignRole(input: {userId: $id, role: \"tenant_admin\"}) { id } }",
            json!({"id": p.b_user}),
        ),
        ("mutation($id: ID!) { revokeRole(userId: $id, role: \"patient\") { id } }", json!({"id": p.b_user})),
    ] {
        let res = p.as_a(query, vars).await;
        assert_eq!(error_codes(&res), ["NOT_FOUND"], "{query}: {res}");
    }
    let entities = data(p.as_a(
        "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email } } }",
        json!({"reps": [{"__typename": "User", "id": p.b_user}, {"__typename": "User", "id": p.a.admin_id}]}),
    ).await);
    assert!(entities["_entities"][0].is_null(), "{entities}");
    assert_eq!(uuid(&entities["_entities"][1]["id"]), p.a.admin_id);
    assert_eq!(p.b_audit_count().await, before);
}

#[tokio::test]
async fn tenants_roles_keys_and_audit_of_another_tenant_are_invisible() {
    let p = pair().await;
    let b_key = data(p.app.gql(Some(&p.b.admin_token), "mutation { createApiKey(input: {name: \"b\", roles: [\"partner\"]}) { secret apiKey { id } } }", json!({})).await.expect("m"));
    let b_key_id = uuid(&b_key["createApiKey"]["apiKey"]["id"]);
    let b_secret = b_key["createApiKey"]["secret"].as_str().expect("secret").to_owned();
    let before = p.b_audit_count().await;

    let tenant = data(p.as_a("query($id: ID) { tenant(id: $id) { id } }", json!({"id": p.b.id})).await);
    assert!(tenant["tenant"].is_null());
    let update = p
        .as_a(
            "mutation($id: ID!) { updateTenant(id: $id, input: {name: \"Mine\"}) { id } }",
            json!({"id": p.b.id}),
        )
        .await;
    assert_eq!(error_codes(&update), ["NOT_FOUND"]);
    let listing = p.as_a("{ tenants { edges { node { id } } } }", json!({})).await;
    assert_eq!(error_codes(&listing), ["FORBIDDEN"]);
    let ent = data(
        p.as_a(
            "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Tenant { id name } } }",
            json!({"reps": [{"__typename": "Tenant", "id": p.b.id}]}),
        )
        .await,
    );
    assert!(ent["_entities"][0].is_null());

    let b_roles =
        data(p.app.gql(Some(&p.b.admin_token), "{ roles { nodes { id } } }", json!({})).await.expect("q"));
    let a_roles = data(p.as_a("{ roles { nodes { id } } }", json!({})).await);
    let b_ids: Vec<&Value> =
        b_roles["roles"]["nodes"].as_array().expect("roles").iter().map(|r| &r["id"]).collect();
    for role in a_roles["roles"]["nodes"].as_array().expect("roles") {
        assert!(!b_ids.contains(&&role["id"]), "A sees one of B's roles");
    }

    let key = data(p.as_a("query($id: ID!) { apiKey(id: $id) { id } }", json!({"id": b_key_id})).await);
    assert!(key["apiKey"].is_null());
    let keys = data(p.as_a("{ apiKeys { edges { node { id } } } }", json!({})).await);
    assert_eq!(keys["apiKeys"]["edges"], json!([]));
    let revoke = p.as_a("mutation($id: ID!) { revokeApiKey(id: $id) { id } }", json!({"id": b_key_id})).await;
    assert_eq!(error_codes(&revoke), ["NOT_FOUND"]);
    let still_works = p
        .app
        .gql_with_header("x-api-key", &b_secret, "{ users { edges { node { id } } } }")
        .await
        .expect("request");
    assert!(still_works.get("errors").is_none(), "{still_works}");

    for filter in [
        json!({"resourceId": p.b_user.to_string()}),
        json!({"actorId": p.b.admin_id}),
        json!({"resourceId": p.b.id.to_string()}),
    ] {
        let res = data(
            p.as_a(
                "query($f: AuditFilterInput) { auditEvents(filter: $f) { edges { node { id } } } }",
                json!({"f": filter}),
            )
            .await,
        );
        assert_eq!(res["auditEvents"]["edges"], json!([]), "{filter}");
    }
    let chain = data(p.as_a("{ verifyAuditChain { valid checked } }", json!({})).await);
    assert_eq!(chain["verifyAuditChain"], json!({"valid": true, "checked": 1}));
    // B's audit log is unchanged; the key use above is a read.
    assert_eq!(p.b_audit_count().await, before);
}
