//! Permission checks: denials are FORBIDDEN and write nothing; own scope
//! reaches only the caller; expired assignments grant nothing.

use serde_json::json;
use subgraph_kit::testkit::{data, error_codes};

use crate::support::{INVITE, counts, provision, start, user_with_role};

#[tokio::test]
async fn a_patient_calling_admin_mutations_is_forbidden_and_nothing_is_written() {
    let app = start().await;
    let t = provision(&app, "Eta", 10).await;
    let (patient, token) = user_with_role(&app, &t, "pat@eta.test", "patient").await;
    let before = counts(&app).await;
    let attempts = [
        (INVITE, json!({"input": {"email": "new@eta.test", "displayName": "New"}})),
        ("mutation($id: ID!) { deactivateUser(id: $id) { id } }", json!({"id": t.admin_id})),
        (
            "mutation($u: ID!) { assignRole(input: {userId: $u, role: \"tenant_admin\"}) { id } }",
            json!({"u": patient}),
        ),
        ("mutation { createApiKey(input: {name: \"k\", roles: [\"partner\"]}) { secret } }", json!({})),
        ("mutation($id: ID!) { updateTenant(id: $id, input: {name: \"Mine\"}) { id } }", json!({"id": t.id})),
        (
            "mutation($id: ID!) { updateUser(id: $id, input: {displayName: \"Hacked\"}) { id } }",
            json!({"id": t.admin_id}),
        ),
        (
            crate::support::PROVISION,
            json!({"input": {"name": "X", "type": "CLINIC", "admin": {"email": "a@x.test", "displayName": "A"}}}),
        ),
    ];
    for (query, vars) in attempts {
        let res = app.gql(Some(&token), query, vars).await.expect("request");
        assert_eq!(error_codes(&res), ["FORBIDDEN"], "{query}: {res}");
    }
    for query in [
        "{ auditEvents { edges { node { id } } } }",
        "{ apiKeys { edges { node { id } } } }",
        "{ roles { nodes { name } } }",
        "{ tenants { edges { node { id } } } }",
    ] {
        let res = app.gql(Some(&token), query, json!({})).await.expect("request");
        assert_eq!(error_codes(&res), ["FORBIDDEN"], "{query}: {res}");
    }
    assert_eq!(counts(&app).await, before);

    // Own scope: the patient sees and edits only themselves.
    let users =
        data(app.gql(Some(&token), "{ users { edges { node { id } } } }", json!({})).await.expect("q"));
    assert_eq!(users["users"]["edges"].as_array().expect("edges").len(), 1);
    let admin = data(
        app.gql(Some(&token), "query($id: ID!) { user(id: $id) { id } }", json!({"id": t.admin_id}))
            .await
            .expect("q"),
    );
    assert!(admin["user"].is_null());
    let own = data(
        app.gql(
            Some(&token),
            "mutation($id: ID!) { updateUser(id: $id, input: {displayName: \"Pat P.\"}) { displayName } }",
            json!({"id": patient}),
        )
        .await
        .expect("m"),
    );
    assert_eq!(own["updateUser"]["displayName"], "Pat P.");
}

#[tokio::test]
async fn an_expired_role_assignment_grants_nothing() {
    let app = start().await;
    let t = provision(&app, "Theta", 10).await;
    let (u, token) = user_with_role(&app, &t, "temp@theta.test", "patient").await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let res = app.gql(Some(&t.admin_token), "mutation($u: ID!, $e: DateTime) { assignRole(input: {userId: $u, role: \"auditor\", expiresAt: $e}) { id } }", json!({"u": u, "e": soon})).await.expect("m");
    assert!(res.get("errors").is_none(), "{res}");
    let allowed = app
        .gql(Some(&token), "{ auditEvents(first: 1) { edges { node { id } } } }", json!({}))
        .await
        .expect("q");
    assert!(allowed.get("errors").is_none(), "{allowed}");
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let denied = app
        .gql(Some(&token), "{ auditEvents(first: 1) { edges { node { id } } } }", json!({}))
        .await
        .expect("q");
    assert_eq!(error_codes(&denied), ["FORBIDDEN"], "{denied}");
    let roles = data(
        app.gql(
            Some(&t.admin_token),
            "query($id: ID!) { user(id: $id) { roles { role active } } }",
            json!({"id": u}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(
        roles["user"]["roles"],
        json!([{"role": "auditor", "active": false}, {"role": "patient", "active": true}])
    );

    // Assigning an expiry in the past is refused.
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let res = app.gql(Some(&t.admin_token), "mutation($u: ID!, $e: DateTime) { assignRole(input: {userId: $u, role: \"auditor\", expiresAt: $e}) { id } }", json!({"u": u, "e": past})).await.expect("m");
    assert_eq!(error_codes(&res), ["BAD_USER_INPUT"]);
}
