//! API keys: the secret is shown once, stored hashed, works in `X-Api-Key`
//! with its roles and scopes, records its last use, and stops on revoke or
//! expiry.

use backbone_entities::tenancy::api_key;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data, error_codes};

use crate::support::{provision, start, uuid};

async fn with_key(app: &TestApp, key: &str, query: &str) -> Value {
    app.gql_with_header("x-api-key", key, query).await.expect("request")
}

const CREATE: &str = r#"mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix roles scopes expiresAt revokedAt lastUsedAt } }
}"#;

#[tokio::test]
async fn keys_are_created_used_listed_and_revoked() {
    let app = start().await;
    let t = provision(&app, "Iota", 10).await;
    let tok = Some(t.admin_token.as_str());
    let created = data(
        app.gql(
            tok,
            CREATE,
            json!({"input": {"name": "EHR sync", "roles": ["partner"], "scopes": ["user:read"]}}),
        )
        .await
        .expect("m"),
    );
    let secret = created["createApiKey"]["secret"].as_str().expect("secret").to_owned();
    let key = &created["createApiKey"]["apiKey"];
    let id = uuid(&key["id"]);
    assert!(secret.starts_with(&format!("bbk_{}_", key["prefix"].as_str().expect("prefix"))));
    assert_eq!(key["roles"], json!(["partner"]));
    assert!(key["lastUsedAt"].is_null());

    // Only a hash is stored.
    let row = api_key::Entity::find_by_id(id).one(&app.kit.db).await.expect("db").expect("row");
    assert!(!secret.contains(&row.secret_hash));
    assert_ne!(row.secret_hash, secret);

    // The key acts as a partner: it may read users, and its scope keeps it
    // from reading the tenant even though the partner role could.
    let users = with_key(&app, &secret, "{ users { edges { node { email } } } }").await;
    assert_eq!(data(users)["users"]["edges"][0]["node"]["email"], "admin@iota.test");
    let narrowed = with_key(&app, &secret, "{ tenant { id } }").await;
    assert_eq!(error_codes(&narrowed), ["FORBIDDEN"]);

    let listed =
        data(app.gql(tok, "{ apiKeys { edges { node { id lastUsedAt } } } }", json!({})).await.expect("q"));
    assert_eq!(uuid(&listed["apiKeys"]["edges"][0]["node"]["id"]), id);
    assert!(listed["apiKeys"]["edges"][0]["node"]["lastUsedAt"].is_string(), "use is recorded");
    let one = data(
        app.gql(tok, "query($id: ID!) { apiKey(id: $id) { name } }", json!({"id": id})).await.expect("q"),
    );
    assert_eq!(one["apiKey"]["name"], "EHR sync");

    let revoked = data(
        app.gql(tok, "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", json!({"id": id}))
            .await
            .expect("m"),
    );
    assert!(revoked["revokeApiKey"]["revokedAt"].is_string());
    let refused = with_key(&app, &secret, "{ users { edges { node { email } } } }").await;
    assert_eq!(error_codes(&refused), ["UNAUTHENTICATED"]);

    // A wrong secret with a real prefix is refused the same way.
    let forged = format!("{}{}", &secret[..secret.len() - 4], "0000");
    assert_eq!(
        error_codes(&with_key(&app, &forged, "{ users { edges { node { email } } } }").await),
        ["UNAUTHENTICATED"]
    );
}

#[tokio::test]
async fn expired_keys_and_bad_key_inputs_are_refused() {
    let app = start().await;
    let t = provision(&app, "Kappa", 10).await;
    let tok = Some(t.admin_token.as_str());
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1200)).to_rfc3339();
    let created = data(
        app.gql(tok, CREATE, json!({"input": {"name": "short", "roles": ["auditor"], "expiresAt": soon}}))
            .await
            .expect("m"),
    );
    let secret = created["createApiKey"]["secret"].as_str().expect("secret").to_owned();
    assert!(
        with_key(&app, &secret, "{ auditEvents(first: 1) { edges { node { id } } } }")
            .await
            .get("errors")
            .is_none()
    );
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    assert_eq!(
        error_codes(&with_key(&app, &secret, "{ roles { nodes { name } } }").await),
        ["UNAUTHENTICATED"]
    );

    for input in [
        json!({"name": "x", "roles": []}),
        json!({"name": "x", "roles": ["wizard"]}),
        json!({"name": "x", "roles": ["partner"], "scopes": ["DROP TABLE"]}),
        json!({"name": "", "roles": ["partner"]}),
    ] {
        let res = app.gql(tok, CREATE, json!({"input": input})).await.expect("m");
        assert_eq!(error_codes(&res), ["BAD_USER_INPUT"], "{input}: {res}");
    }
}
