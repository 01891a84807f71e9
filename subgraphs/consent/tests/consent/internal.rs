//! The consent check other services make, and the data contract's guard.

use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use subgraph_consent::domain::{
    receipts::ReceiptKey,
    records::{self, Change},
};
use subgraph_kit::{internal::HEADER, testkit::TestApp};
use uuid::Uuid;

fn change(tenant: Uuid, user: Uuid, scope: &str) -> Change {
    Change {
        tenant_id: tenant,
        user_id: user,
        scope: scope.into(),
        text_version: "v1".into(),
        channel: subgraph_consent::domain::records::CaptureChannel::Web,
        source_ip: None,
        expires_at: None,
        recorded_by: user,
    }
}

#[tokio::test]
async fn the_check_answers_per_scope_and_only_with_the_shared_secret() {
    let app = TestApp::serve(&subgraph_consent::Consent, &[&subgraph_tenants::Tenants], |_| {})
        .await
        .expect("start");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let key = ReceiptKey::from_config(&app.kit.config, &Default::default()).expect("key");
    records::grant(&app.kit.db, &key, "backbone", change(tenant, user, "memory")).await.expect("grant");
    records::withdraw(&app.kit.db, change(tenant, user, "memory.health")).await.expect("withdraw");

    let url = format!("http://{}/internal/consent/check", app.addr);
    let body = json!({"tenant_id": tenant, "user_id": user, "scopes": ["memory", "memory.education", "memory.health", "ai_processing", "Bad Scope"]});
    let answer: Value = app
        .http
        .post(&url)
        .header(HEADER, app.kit.internal_token.expose_secret())
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["granted"], json!([true, true, false, false, false]));

    // Another tenant's id for the same person sees nothing.
    let other = json!({"tenant_id": Uuid::now_v7(), "user_id": user, "scopes": ["memory"]});
    let answer: Value = app
        .http
        .post(&url)
        .header(HEADER, app.kit.internal_token.expose_secret())
        .json(&other)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["granted"], json!([false]));

    for token in [None, Some("wrong")] {
        let mut req = app.http.post(&url).json(&body);
        if let Some(t) = token {
            req = req.header(HEADER, t);
        }
        assert_eq!(req.send().await.expect("send").status(), 401);
    }
    let erase = format!("http://{}/internal/data/erase", app.addr);
    let refused = app
        .http
        .post(&erase)
        .json(&json!({"tenant_id": tenant, "user_id": user}))
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 401, "the data contract is guarded too");
    assert!(records::decide(&app.kit.db, tenant, user, "memory", Utc::now()).await.expect("decide"));
}
