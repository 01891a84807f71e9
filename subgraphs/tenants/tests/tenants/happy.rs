//! Every query and mutation on its happy path.

use serde_json::json;
use subgraph_kit::testkit::data;

use crate::support::{INVITE, provision, start, user_with_role, uuid};

#[tokio::test]
async fn provisioning_creates_default_roles_and_an_active_admin() {
    let app = start().await;
    let t = provision(&app, "Harbour Clinic", 10).await;
    let d = data(
        app.gql(Some(&t.admin_token), r#"{
            me { id email status roles { role active } }
            tenant { id name type tier maxUsers aiTokenBudget active usage { activeUsers invitedUsers maxUsers remaining } }
            roles { nodes { name permissions { resource action scope } } }
        }"#, json!({}))
        .await
        .expect("query"),
    );
    assert_eq!(uuid(&d["me"]["id"]), t.admin_id);
    assert_eq!(d["me"]["status"], "ACTIVE");
    assert_eq!(d["me"]["roles"], json!([{"role": "tenant_admin", "active": true}]));
    assert_eq!(d["tenant"]["name"], "Harbour Clinic");
    assert_eq!(d["tenant"]["type"], "CLINIC");
    assert_eq!(d["tenant"]["tier"], "STANDARD");
    assert_eq!(
        d["tenant"]["usage"],
        json!({"activeUsers": 1, "invitedUsers": 0, "maxUsers": 10, "remaining": 9})
    );
    let names: Vec<&str> = d["roles"]["nodes"]
        .as_array()
        .expect("roles")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["auditor", "clinician", "partner", "patient", "staff", "tenant_admin"]);
    let admin = d["roles"]["nodes"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == "tenant_admin")
        .expect("admin role");
    assert!(
        admin["permissions"]
            .as_array()
            .expect("perms")
            .contains(&json!({"resource": "user", "action": "invite", "scope": "tenant"}))
    );
}

#[tokio::test]
async fn platform_admin_lists_and_updates_tenants() {
    let app = start().await;
    let a = provision(&app, "Alpha", 5).await;
    let b = provision(&app, "Beta", 5).await;
    let platform = app.platform_token();
    let page1 = data(
        app.gql(
            Some(&platform),
            "{ tenants(first: 1) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(uuid(&page1["tenants"]["edges"][0]["node"]["id"]), a.id);
    assert_eq!(page1["tenants"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["tenants"]["pageInfo"]["endCursor"].as_str().expect("cursor").to_owned();
    let page2 = data(app.gql(Some(&platform), "query($c: String) { tenants(first: 1, after: $c) { edges { node { id } } pageInfo { hasNextPage } } }", json!({"c": cursor})).await.expect("q"));
    assert_eq!(uuid(&page2["tenants"]["edges"][0]["node"]["id"]), b.id);
    assert_eq!(page2["tenants"]["pageInfo"]["hasNextPage"], false);

    let updated = data(app.gql(Some(&platform), r#"mutation($id: ID!) { updateTenant(id: $id, input: {tier: ENTERPRISE, maxUsers: 50, aiTokenBudget: 99, name: "Beta Health"}) { name tier maxUsers aiTokenBudget } }"#, json!({"id": b.id})).await.expect("m"));
    assert_eq!(
        updated["updateTenant"],
        json!({"name": "Beta Health", "tier": "ENTERPRISE", "maxUsers": 50, "aiTokenBudget": 99})
    );
    // A tenant admin may rename their tenant but not change its limits.
    let renamed = data(
        app.gql(
            Some(&b.admin_token),
            r#"mutation($id: ID!) { updateTenant(id: $id, input: {name: "Beta Care"}) { name } }"#,
            json!({"id": b.id}),
        )
        .await
        .expect("m"),
    );
    assert_eq!(renamed["updateTenant"]["name"], "Beta Care");
    let seen = data(
        app.gql(Some(&platform), "query($id: ID) { tenant(id: $id) { name } }", json!({"id": b.id}))
            .await
            .expect("q"),
    );
    assert_eq!(seen["tenant"]["name"], "Beta Care");
}

#[tokio::test]
async fn users_are_invited_updated_filtered_paginated_and_deactivated() {
    let app = start().await;
    let t = provision(&app, "Gamma", 10).await;
    let tok = Some(t.admin_token.as_str());
    let (nurse, _) = user_with_role(&app, &t, "nurse@gamma.test", "clinician").await;
    let (clerk, _) = user_with_role(&app, &t, "clerk@gamma.test", "staff").await;
    let plain = data(
        app.gql(tok, INVITE, json!({"input": {"email": "Pat@Gamma.test", "displayName": "Pat"}}))
            .await
            .expect("m"),
    );
    assert_eq!(plain["inviteUser"]["email"], "pat@gamma.test", "emails are lower-cased");
    assert_eq!(plain["inviteUser"]["status"], "INVITED");

    let all = data(
        app.gql(
            tok,
            "{ users(first: 2) { edges { node { email } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(all["users"]["edges"].as_array().expect("edges").len(), 2);
    assert_eq!(all["users"]["pageInfo"]["hasNextPage"], true);
    let after = all["users"]["pageInfo"]["endCursor"].clone();
    let rest = data(app.gql(tok, "query($a: String) { users(first: 10, after: $a) { edges { node { email } } pageInfo { hasNextPage } } }", json!({"a": after})).await.expect("q"));
    let emails: Vec<&str> = rest["users"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, ["clerk@gamma.test", "pat@gamma.test"]);

    let by_role = data(
        app.gql(tok, r#"{ users(filter: {role: "clinician"}) { edges { node { id } } } }"#, json!({}))
            .await
            .expect("q"),
    );
    assert_eq!(uuid(&by_role["users"]["edges"][0]["node"]["id"]), nurse);
    let by_search = data(
        app.gql(tok, r#"{ users(filter: {search: "CLERK"}) { edges { node { id } } } }"#, json!({}))
            .await
            .expect("q"),
    );
    assert_eq!(uuid(&by_search["users"]["edges"][0]["node"]["id"]), clerk);

    let updated = data(app.gql(tok, r#"mutation($id: ID!) { updateUser(id: $id, input: {displayName: "Nurse Joy"}) { displayName } }"#, json!({"id": nurse})).await.expect("m"));
    assert_eq!(updated["updateUser"]["displayName"], "Nurse Joy");
    let one = data(
        app.gql(
            tok,
            "query($id: ID!) { user(id: $id) { displayName roles { role } } }",
            json!({"id": nurse}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(one["user"], json!({"displayName": "Nurse Joy", "roles": [{"role": "clinician"}]}));

    let gone = data(
        app.gql(tok, "mutation($id: ID!) { deactivateUser(id: $id) { status } }", json!({"id": clerk}))
            .await
            .expect("m"),
    );
    assert_eq!(gone["deactivateUser"]["status"], "DEACTIVATED");
    let active = data(app.gql(tok, "{ users(filter: {status: DEACTIVATED}) { edges { node { id } } } usage { activeUsers invitedUsers remaining } }", json!({})).await.expect("q"));
    assert_eq!(uuid(&active["users"]["edges"][0]["node"]["id"]), clerk);
    assert_eq!(active["usage"], json!({"activeUsers": 1, "invitedUsers": 2, "remaining": 7}));
}

#[tokio::test]
async fn inviting_past_max_users_fails_clearly_and_writes_nothing() {
    let app = start().await;
    let t = provision(&app, "Tiny", 2).await;
    user_with_role(&app, &t, "one@tiny.test", "staff").await;
    let before = crate::support::counts(&app).await;
    let res = app
        .gql(Some(&t.admin_token), INVITE, json!({"input": {"email": "two@tiny.test", "displayName": "Two"}}))
        .await
        .expect("m");
    assert_eq!(subgraph_kit::testkit::error_codes(&res), ["CONFLICT"]);
    assert!(res["errors"][0]["message"].as_str().expect("msg").contains("limit of 2 users"), "{res}");
    assert_eq!(crate::support::counts(&app).await, before);
}

#[tokio::test]
async fn roles_are_assigned_with_expiry_and_revoked() {
    let app = start().await;
    let t = provision(&app, "Delta", 10).await;
    let tok = Some(t.admin_token.as_str());
    let (u, _) = user_with_role(&app, &t, "aud@delta.test", "staff").await;
    let expires = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let assigned = data(app.gql(tok, "mutation($u: ID!, $e: DateTime) { assignRole(input: {userId: $u, role: \"auditor\", expiresAt: $e}) { roles { role active expiresAt } } }", json!({"u": u, "e": expires})).await.expect("m"));
    let roles = assigned["assignRole"]["roles"].as_array().expect("roles");
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0]["role"], "auditor");
    assert_eq!(roles[0]["active"], true);
    assert!(roles[0]["expiresAt"].is_string());
    let revoked = data(
        app.gql(
            tok,
            "mutation($u: ID!) { revokeRole(userId: $u, role: \"staff\") { roles { role } } }",
            json!({"u": u}),
        )
        .await
        .expect("m"),
    );
    assert_eq!(revoked["revokeRole"]["roles"], json!([{"role": "auditor"}]));
}
