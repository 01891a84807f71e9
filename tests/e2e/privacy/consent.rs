//! Consent through the router: hierarchy and narrowing, withdrawal,
//! expiry, receipts, evidence, `User.consents`, and who may see what.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;

use super::support::{code, consent};
use crate::realtime::scene::{Scene, WITHIN, eventually};

const HAS: &str = "query($u: ID!, $s: String!) { hasConsent(userId: $u, scope: $s) }";

async fn has(scene: &Scene, role: &'static str, user: &str, scope: &str) -> bool {
    scene.ok(Some(role), HAS, json!({"u": user, "s": scope})).await["hasConsent"].as_bool().expect("bool")
}

#[tokio::test]
async fn a_broad_grant_covers_narrower_scopes_until_one_is_narrowed() {
    let scene = Scene::start().await;
    let patient = scene.user("patient").to_string();
    assert!(!has(&scene, "patient", &patient, "health_data.vitals").await, "nothing granted yet");

    let mut events = scene.graph.kit.bus.subscribe();
    consent(&scene, "patient", "health_data", true).await;
    let event = loop {
        let e =
            tokio::time::timeout(WITHIN, events.next()).await.expect("an event in time").expect("bus open");
        if e.event_type == "consent.changed" {
            break e;
        }
    };
    assert_eq!(event.payload["scope"], "health_data");
    assert_eq!(event.payload["action"], "granted");
    assert_eq!(event.payload["userId"], json!(patient));
    assert!(has(&scene, "patient", &patient, "health_data").await);
    assert!(has(&scene, "patient", &patient, "health_data.vitals").await, "the parent covers the child");
    assert!(!has(&scene, "patient", &patient, "research").await, "other scopes stay off");

    consent(&scene, "patient", "health_data.vitals", false).await;
    assert!(!has(&scene, "patient", &patient, "health_data.vitals").await, "narrowed");
    assert!(has(&scene, "patient", &patient, "health_data.diagnoses").await, "siblings still covered");

    consent(&scene, "patient", "health_data", false).await;
    assert!(!has(&scene, "patient", &patient, "health_data.diagnoses").await, "withdrawal counts at once");

    // The full history, newest first, with the evidence fields.
    let history = scene
        .ok(Some("patient"), "{ consentHistory { nodes { scope action textVersion channel } } }", json!({}))
        .await;
    let actions: Vec<_> = history["consentHistory"]["nodes"]
        .as_array()
        .expect("history")
        .iter()
        .map(|r| format!("{}:{}", r["scope"].as_str().unwrap_or(""), r["action"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(actions, ["health_data:WITHDRAWN", "health_data.vitals:WITHDRAWN", "health_data:GRANTED"]);

    // Unknown scopes and channels are refused with the field named.
    let bad = scene
        .gql(
            Some("patient"),
            "mutation { grantConsent(input: {scope: \"no_such_scope\", textVersion: \"v1\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    let bad = scene
        .gql(
            Some("patient"),
            "mutation { grantConsent(input: {scope: \"research\", textVersion: \"v1\", channel: PIGEON}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    let bad = scene
        .gql(
            Some("patient"),
            "mutation { grantConsent(input: {scope: \"research\", textVersion: \"v1\", channel: SYSTEM}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "only the platform records SYSTEM entries: {bad}");
}

/// `X-Forwarded-For` is believed only from a configured proxy: a client
/// that sends its own is recorded with the address it connected from.
#[tokio::test]
async fn a_spoofed_forwarded_for_is_not_recorded_as_evidence() {
    let scene = Scene::start().await;
    let granted = scene
        .gql_from(
            Some("patient"),
            Some("203.0.113.7, 198.51.100.1"),
            "mutation { grantConsent(input: {scope: \"marketing\", textVersion: \"v1\"}) { sourceIp } }",
            json!({}),
        )
        .await;
    assert_eq!(granted["data"]["grantConsent"]["sourceIp"], "127.0.0.1", "{granted}");
}

#[tokio::test]
async fn receipts_verify_and_record_the_evidence() {
    // The test stands where a load balancer would: a trusted proxy.
    let scene = Scene::start_with(
        |c| {
            crate::realtime::scene::fast(c);
            c.router.trusted_proxies = vec!["127.0.0.1".into()];
        },
        Default::default(),
    )
    .await;
    let granted = scene
        .gql_from(
            Some("patient"),
            Some("203.0.113.7"),
            "mutation { grantConsent(input: {scope: \"marketing\", textVersion: \"2026-11\", channel: APP}) \
             { receipt sourceIp channel textVersion } }",
            json!({}),
        )
        .await;
    let g = &granted["data"]["grantConsent"];
    assert_eq!(g["sourceIp"], "203.0.113.7", "{granted}");
    assert_eq!(g["channel"], "APP");
    let receipt = g["receipt"].as_str().expect("receipt").to_owned();
    let parsed: serde_json::Value = serde_json::from_str(&receipt).expect("receipt is JSON");
    assert_eq!(parsed["statement"]["scope"], "marketing");
    assert_eq!(parsed["statement"]["channel"], "app", "receipts sign the stored form");
    assert_eq!(parsed["statement"]["sourceIp"], "203.0.113.7");
    assert_eq!(parsed["algorithm"], "ed25519");

    let verify = "query($r: String!) { verifyConsentReceipt(receipt: $r) consentReceiptKey }";
    let ok = scene.ok(Some("auditor"), verify, json!({"r": receipt})).await;
    assert_eq!(ok["verifyConsentReceipt"], true);
    assert!(ok["consentReceiptKey"].as_str().is_some_and(|k| k.len() == 44), "{ok}");
    let forged = receipt.replace("marketing", "research");
    assert_eq!(scene.ok(Some("auditor"), verify, json!({"r": forged})).await["verifyConsentReceipt"], false);
}

#[tokio::test]
async fn grants_expire_and_the_sweep_records_it() {
    let scene = Scene::start().await;
    let patient = scene.user("patient").to_string();
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    scene
        .ok(
            Some("patient"),
            "mutation($e: DateTime!) { grantConsent(input: {scope: \"memory\", textVersion: \"v1\", expiresAt: $e}) { id } }",
            json!({"e": soon}),
        )
        .await;
    assert!(has(&scene, "patient", &patient, "memory.health").await);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(!has(&scene, "patient", &patient, "memory.health").await, "expired grants say no");
    eventually(WITHIN, "the expiry to be recorded", || async {
        let h = scene.ok(Some("patient"), "{ consentHistory { nodes { action } } }", json!({})).await;
        h["consentHistory"]["nodes"][0]["action"] == "EXPIRED"
    })
    .await;

    let past = scene
        .gql(
            Some("patient"),
            "mutation { grantConsent(input: {scope: \"memory\", textVersion: \"v1\", expiresAt: \"2020-01-01T00:00:00Z\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&past), "BAD_USER_INPUT");
}

#[tokio::test]
async fn consents_join_the_user_through_the_router_for_those_allowed() {
    let scene = Scene::start().await;
    let patient = scene.user("patient").to_string();
    consent(&scene, "patient", "ai_processing", true).await;

    let q = "query($id: ID!) { user(id: $id) { email consents { nodes { scope action } } } }";
    let seen = scene.ok(Some("clinician"), q, json!({"id": patient})).await;
    assert_eq!(seen["user"]["email"].as_str().map(|e| e.starts_with("patient@")), Some(true), "{seen}");
    assert_eq!(seen["user"]["consents"]["nodes"], json!([{"scope": "ai_processing", "action": "GRANTED"}]));

    // A patient may not look at another person's consents, nor act for them.
    let other = scene.user("staff").to_string();
    let denied = scene.gql(Some("patient"), HAS, json!({"u": other, "s": "ai_processing"})).await;
    assert_eq!(code(&denied), "FORBIDDEN", "{denied}");
    let denied = scene
        .gql(
            Some("patient"),
            "mutation($u: ID!) { grantConsent(input: {userId: $u, scope: \"research\", textVersion: \"v1\"}) { id } }",
            json!({"u": other}),
        )
        .await;
    assert_eq!(code(&denied), "FORBIDDEN", "{denied}");
    let anonymous = scene.gql(None, HAS, json!({"u": patient, "s": "ai_processing"})).await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
}
