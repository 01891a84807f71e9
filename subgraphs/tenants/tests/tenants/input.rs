//! Malformed input: BAD_USER_INPUT (or 413 for huge bodies), never a
//! panic, and nothing written.

use serde_json::json;
use subgraph_kit::testkit::error_codes;

use crate::support::{INVITE, PROVISION, counts, provision, start};

#[tokio::test]
async fn malformed_inputs_are_bad_user_input_and_write_nothing() {
    let app = start().await;
    let t = provision(&app, "Lambda", 10).await;
    let platform = app.platform_token();
    let admin = |name: &str, email: &str| json!({"email": email, "displayName": name});
    let tenant = |name: String, kind: &str, max: i64| json!({"input": {"name": name, "type": kind, "maxUsers": max, "admin": admin("A", "a@l.test")}});
    let before = counts(&app).await;
    let cases: Vec<(&str, &str, serde_json::Value, &str)> = vec![
        ("empty name", PROVISION, tenant(String::new(), "CLINIC", 5), &platform),
        ("blank name", PROVISION, tenant("   ".into(), "CLINIC", 5), &platform),
        ("10 kB name", PROVISION, tenant("x".repeat(10_000), "CLINIC", 5), &platform),
        ("negative max users", PROVISION, tenant("Ok".into(), "CLINIC", -5), &platform),
        ("unknown enum", PROVISION, tenant("Ok".into(), "SPACESHIP", 5), &platform),
        (
            "bad admin email",
            PROVISION,
            json!({"input": {"name": "Ok", "type": "CLINIC", "admin": admin("A", "not-an-email")}}),
            &platform,
        ),
        (
            "max users not an int",
            PROVISION,
            json!({"input": {"name": "Ok", "type": "CLINIC", "maxUsers": "many", "admin": admin("A", "a@l.test")}}),
            &platform,
        ),
        ("bad uuid", "query($id: ID!) { user(id: $id) { id } }", json!({"id": "not-a-uuid"}), &t.admin_token),
        (
            "bad uuid in mutation",
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({"id": "123"}),
            &t.admin_token,
        ),
        ("negative first", "{ users(first: -1) { edges { node { id } } } }", json!({}), &t.admin_token),
        ("huge first", "{ users(first: 100000) { edges { node { id } } } }", json!({}), &t.admin_token),
        (
            "bad cursor",
            "{ auditEvents(after: \"zzz\") { edges { node { id } } } }",
            json!({}),
            &t.admin_token,
        ),
        (
            "unknown role",
            INVITE,
            json!({"input": {"email": "r@l.test", "displayName": "R", "roles": ["overlord"]}}),
            &t.admin_token,
        ),
        (
            "10 kB display name",
            INVITE,
            json!({"input": {"email": "r@l.test", "displayName": "y".repeat(10_000)}}),
            &t.admin_token,
        ),
        ("unknown field", "{ users { edges { node { password } } } }", json!({}), &t.admin_token),
        ("syntax error", "{ users { edges ", json!({}), &t.admin_token),
        ("missing variable", INVITE, json!({}), &t.admin_token),
    ];
    for (name, query, vars, token) in cases {
        let res = app.gql(Some(token), query, vars).await.expect("request");
        assert_eq!(error_codes(&res), ["BAD_USER_INPUT"], "{name}: {res}");
    }
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn a_10_mb_body_is_refused_with_413_and_the_server_keeps_serving() {
    let app = start().await;
    let t = provision(&app, "Mu", 10).await;
    let before = counts(&app).await;
    let huge = json!({"query": INVITE, "variables": {"input": {"email": "big@mu.test", "displayName": "z".repeat(10 * 1024 * 1024)}}});
    let res = app.http.post(app.url()).bearer_auth(&t.admin_token).json(&huge).send().await.expect("send");
    assert_eq!(res.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(counts(&app).await, before);
    let ok = app.gql(Some(&t.admin_token), "{ me { id } }", json!({})).await.expect("request");
    assert!(ok.get("errors").is_none(), "{ok}");
}

#[tokio::test]
async fn the_same_email_twice_is_a_conflict() {
    let app = start().await;
    let t = provision(&app, "Nu", 10).await;
    let invite = json!({"input": {"email": "dup@nu.test", "displayName": "Dup"}});
    assert!(app.gql(Some(&t.admin_token), INVITE, invite.clone()).await.expect("m").get("errors").is_none());
    let before = counts(&app).await;
    let res = app.gql(Some(&t.admin_token), INVITE, invite).await.expect("m");
    assert_eq!(error_codes(&res), ["CONFLICT"], "{res}");
    assert_eq!(counts(&app).await, before);
}

/// `fragment F1 on Query { ...F2 ...F2 }` … 30 levels: ~1 KB naming 2^30
/// fields once expanded; the subgraph refuses it before validating.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragment_bombs_are_refused_before_validation() {
    let app = start().await;
    let t = provision(&app, "Bomb", 5).await;
    let mut bomb = String::from("query Bomb { ...F1 }\n");
    for i in 1..30 {
        bomb.push_str(&format!("fragment F{i} on Query {{ ...F{n} ...F{n} }}\n", n = i + 1));
    }
    bomb.push_str("fragment F30 on Query { me { id } }\n");
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.gql(Some(&t.admin_token), &bomb, json!({})),
    )
    .await
    .expect("refused in time, not after expanding every fragment")
    .expect("json");
    assert_eq!(error_codes(&res), ["BAD_USER_INPUT"], "{res}");
    assert_eq!(res["errors"][0]["extensions"]["reason"], "MAX_FIELDS_EXCEEDED", "{res}");
    let cycle =
        "query { ...A } fragment A on Query { ...B ...B me { id } } fragment B on Query { ...A ...A }";
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.gql(Some(&t.admin_token), cycle, json!({})),
    )
    .await
    .expect("refused in time")
    .expect("json");
    assert_eq!(res["errors"][0]["extensions"]["reason"], "FRAGMENT_CYCLE", "{res}");
    // Small fragments still work.
    let ok =
        app.gql(Some(&t.admin_token), "query { ...A } fragment A on Query { me { id } }", json!({})).await;
    assert!(ok.expect("json")["data"]["me"]["id"].is_string());
}

#[tokio::test]
async fn nul_characters_are_bad_input_and_search_wildcards_match_literally() {
    let app = start().await;
    let t = provision(&app, "Wild", 10).await;
    let before = counts(&app).await;
    for (query, variables) in [
        (INVITE, json!({"input": {"email": "n@w.test", "displayName": "nul\u{0}name", "roles": ["staff"]}})),
        (
            r#"mutation { inviteUser(input: {email: "m@w.test", displayName: "a\u0000b", roles: ["staff"]}) { id } }"#,
            json!({}),
        ),
        (
            "query($s: String) { users(filter: {search: $s}) { edges { node { id } } } }",
            json!({"s": "\u{0}"}),
        ),
    ] {
        let res = app.gql(Some(&t.admin_token), query, variables).await.expect("json");
        assert_eq!(error_codes(&res), ["BAD_USER_INPUT"], "{res}");
    }
    assert_eq!(counts(&app).await, before, "nothing written");

    let (under, _) = crate::support::user_with_role(&app, &t, "a_b@w.test", "staff").await;
    crate::support::user_with_role(&app, &t, "axb@w.test", "staff").await;
    let search = async |term: &str| -> Vec<serde_json::Value> {
        let res = app
            .gql(
                Some(&t.admin_token),
                "query($s: String) { users(filter: {search: $s}) { edges { node { id } } } }",
                json!({"s": term}),
            )
            .await
            .expect("json");
        subgraph_kit::testkit::data(res)["users"]["edges"].as_array().cloned().unwrap_or_default()
    };
    let found = search("a_b").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["node"]["id"], under.to_string());
    assert!(search("%").await.is_empty(), "% matches only a literal %");
    assert!(search("a\\").await.is_empty(), "a backslash is literal too");
}

/// A stored status outside the enum is an error, not a guess: reading the
/// row fails (INTERNAL) instead of passing it off as another status.
#[tokio::test]
async fn an_unknown_stored_status_fails_loudly() {
    use backbone_entities::tenancy::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = start().await;
    let t = provision(&app, "Mu", 10).await;
    let (other, _) = crate::support::user_with_role(&app, &t, "other@mu.test", "staff").await;
    let updated = user::Entity::update_many()
        .col_expr(user::Column::Status, Expr::value("suspended"))
        .filter(user::Column::Id.eq(other))
        .exec(&app.kit.db)
        .await
        .expect("update");
    assert_eq!(updated.rows_affected, 1);
    let res = app
        .gql(Some(&t.admin_token), "{ users(first: 50) { nodes { id status } } }", json!({}))
        .await
        .expect("answer");
    assert_eq!(error_codes(&res), ["INTERNAL"], "{res}");
    assert!(!res.to_string().contains("INVITED"), "no row passes for another status: {res}");
}
