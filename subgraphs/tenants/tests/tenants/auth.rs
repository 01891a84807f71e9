//! Bad credentials: UNAUTHENTICATED and nothing written.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use subgraph_kit::{
    auth::claims_for,
    testkit::{TEST_SECRET, error_codes},
};

use crate::support::{INVITE, counts, provision, start};

#[tokio::test]
async fn bad_tokens_are_unauthenticated_and_write_nothing() {
    let app = start().await;
    let t = provision(&app, "Epsilon", 10).await;
    let cfg = &app.kit.config.auth;
    let sign = |claims: &backbone_schema::Claims, secret: &str| {
        encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
            .expect("sign")
    };
    let valid = claims_for(cfg, t.id, t.admin_id, &["tenant_admin"], 3600);
    let mut expired = valid.clone();
    expired.exp = chrono::Utc::now().timestamp() - 3600;
    expired.iat = expired.exp - 3600;
    let mut wrong_aud = valid.clone();
    wrong_aud.aud = "someone-else".into();
    let mut wrong_iss = valid.clone();
    wrong_iss.iss = "evil".into();
    let unsigned = {
        // alg "none": header and claims with an empty signature.
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(serde_json::to_vec(&valid).expect("json"))
        )
    };
    let sign_json = |claims: serde_json::Value| {
        encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(TEST_SECRET.as_bytes()))
            .expect("sign")
    };
    let now = chrono::Utc::now().timestamp();
    let mut not_yet = serde_json::to_value(&valid).expect("json");
    not_yet["nbf"] = json!(now + 3600);
    let mut future_iat = valid.clone();
    future_iat.iat = now + 3600;
    let unknown_user = claims_for(cfg, t.id, uuid::Uuid::now_v7(), &["tenant_admin"], 3600);
    let unknown_tenant = claims_for(cfg, uuid::Uuid::now_v7(), t.admin_id, &["tenant_admin"], 3600);
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("not valid before an hour from now", Some(sign_json(not_yet))),
        ("issued an hour from now", Some(sign(&future_iat, TEST_SECRET))),
        ("a user that does not exist", Some(sign(&unknown_user, TEST_SECRET))),
        ("a tenant that does not exist", Some(sign(&unknown_tenant, TEST_SECRET))),
        ("expired", Some(sign(&expired, TEST_SECRET))),
        ("wrong signature", Some(sign(&valid, "another-secret-that-is-long-enough-0123456789"))),
        ("wrong audience", Some(sign(&wrong_aud, TEST_SECRET))),
        ("wrong issuer", Some(sign(&wrong_iss, TEST_SECRET))),
        ("alg none", Some(unsigned)),
        ("garbage", Some("not.a.jwt".into())),
    ];
    let before = counts(&app).await;
    for (name, token) in cases {
        let res = app
            .gql(token.as_deref(), INVITE, json!({"input": {"email": "x@eps.test", "displayName": "X"}}))
            .await
            .expect("request");
        assert_eq!(error_codes(&res), ["UNAUTHENTICATED"], "{name}: {res}");
        assert!(res["data"].is_null(), "{name}: {res}");
        if name == "expired" {
            assert_eq!(res["errors"][0]["message"], "token expired");
        }
    }
    // Reads are refused the same way, not answered empty.
    for claims in [&unknown_user, &unknown_tenant] {
        let res = app.gql(Some(&sign(claims, TEST_SECRET)), "{ me { id } }", json!({})).await.expect("me");
        assert_eq!(error_codes(&res), ["UNAUTHENTICATED"], "{res}");
    }
    // A header that is not `Bearer …` is refused the same way.
    let res = app
        .gql_with_header("authorization", "Basic YWxhZGRpbjpvcGVu", "{ me { id } }")
        .await
        .expect("request");
    assert_eq!(error_codes(&res), ["UNAUTHENTICATED"]);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn a_deactivated_user_or_tenant_reaches_nothing_at_once() {
    let app = start().await;
    let t = provision(&app, "Zeta", 10).await;
    let (u, token) = crate::support::user_with_role(&app, &t, "gone@zeta.test", "tenant_admin").await;
    // Warm the grant cache, then deactivate: the cache must not keep granting.
    let ok = app.gql(Some(&token), "{ users { edges { node { id } } } }", json!({})).await.expect("q");
    assert!(ok.get("errors").is_none(), "{ok}");
    let res = app
        .gql(
            Some(&t.admin_token),
            "mutation($id: ID!) { deactivateUser(id: $id) { status } }",
            json!({"id": u}),
        )
        .await
        .expect("m");
    assert!(res.get("errors").is_none(), "{res}");
    for query in ["{ users { edges { node { id } } } }", "{ me { id } }"] {
        let denied = app.gql(Some(&token), query, json!({})).await.expect("q");
        assert_eq!(error_codes(&denied), ["UNAUTHENTICATED"], "{query}: {denied}");
    }

    // A deactivated tenant: its admin, whose grants are cached, is refused
    // on the next request.
    assert!(
        app.gql(Some(&t.admin_token), "{ me { id } }", json!({})).await.expect("q")["data"]["me"].is_object()
    );
    let res = app
        .gql(
            Some(&app.platform_token()),
            "mutation($id: ID!) { updateTenant(id: $id, input: {active: false}) { active } }",
            json!({"id": t.id}),
        )
        .await
        .expect("m");
    assert_eq!(res["data"]["updateTenant"]["active"], false, "{res}");
    for query in ["{ me { id } }", "{ tenant { name } }"] {
        let denied = app.gql(Some(&t.admin_token), query, json!({})).await.expect("q");
        assert_eq!(error_codes(&denied), ["UNAUTHENTICATED"], "{query}: {denied}");
    }
}
