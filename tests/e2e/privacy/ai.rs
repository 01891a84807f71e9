//! The AI gateway through the router against an OpenAI-compatible server
//! inside the test: consent, budgets under concurrency, PII, retries and
//! timeouts, safety, logging, streaming and `Tenant.aiUsage`.

use std::time::Duration;
use subgraph_ai::config::AiConfig;

use serde_json::json;
use subgraph_kit::testkit::openai::{Behaviour, FakeProvider};

use super::support::{
    as_token, code, complete, consent, platform_token, set_budget, template, with_provider,
};
use crate::realtime::scene::{Scene, WITHIN};

const LOG: &str = "{ aiRequests(first: 50) { nodes { status errorCode attempts promptTokens completionTokens reservedTokens prompt completion promptHash maskedItems } } }";

#[tokio::test]
async fn without_a_provider_every_call_is_refused_with_its_code() {
    let scene = Scene::start().await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;
    let r = complete(&scene, "patient", "triage", "Is this rash serious?").await;
    assert_eq!(code(&r), "AI_PROVIDER_NOT_CONFIGURED", "{r}");
    let s = scene.ok(Some("patient"), "{ aiSettings { providerConfigured } }", json!({})).await;
    assert_eq!(s["aiSettings"]["providerConfigured"], false);
}

#[tokio::test]
async fn no_consent_means_the_provider_receives_nothing() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 100).await;

    let r = complete(&scene, "patient", "triage", "Is this rash serious?").await;
    assert_eq!(code(&r), "CONSENT_REQUIRED", "{r}");
    assert_eq!(provider.chats(), 0, "the provider must not be called");

    consent(&scene, "patient", "ai_processing", true).await;
    let r = complete(&scene, "patient", "triage", "Is this rash serious?").await;
    assert_eq!(r["data"]["complete"]["text"], "You said: Question: Is this rash serious?", "{r}");
    assert_eq!(provider.chats(), 1);

    consent(&scene, "patient", "ai_processing", false).await;
    let r = complete(&scene, "patient", "triage", "And now?").await;
    assert_eq!(code(&r), "CONSENT_REQUIRED", "the very next call after withdrawal: {r}");
    assert_eq!(provider.chats(), 1);

    let log = scene.ok(Some("patient"), LOG, json!({})).await;
    let statuses: Vec<_> =
        log["aiRequests"]["nodes"].as_array().expect("log").iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [json!("refused"), json!("ok"), json!("refused")], "{log}");
    assert_eq!(log["aiRequests"]["nodes"][0]["errorCode"], "CONSENT_REQUIRED");
}

#[tokio::test]
async fn concurrent_calls_never_overspend_the_budget() {
    let provider = FakeProvider::start().await.expect("provider");
    // Slow answers: every call reserves before any settles.
    provider.always_delay(Some(Duration::from_millis(400)));
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;

    // One call reserves its prompt bytes plus the 100-token cap.
    let question = "How much water should I drink?";
    let prompt_bytes = ("You help patients.".len() + format!("Question: {question}").len()) as i64;
    let per_call = prompt_bytes + 100;
    let limit = per_call * 10;
    // A platform limit: the tenant's own admin cannot raise it.
    let raised = scene
        .gql(
            Some("tenant_admin"),
            "mutation($t: ID!) { setAiBudget(tenantId: $t, limitTokens: 1000000000) { limitTokens } }",
            json!({"t": scene.tenant}),
        )
        .await;
    assert_eq!(code(&raised), "FORBIDDEN", "{raised}");
    let set = set_budget(&scene, limit).await;
    assert_eq!(set["data"]["setAiBudget"]["limitTokens"], limit, "{set}");

    let calls = (0..20).map(|_| complete(&scene, "patient", "triage", question));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r["data"]["complete"]["text"].is_string()).count();
    let refused = results.iter().filter(|r| code(r) == "BUDGET_EXCEEDED").count();
    assert_eq!((ok, refused), (10, 10), "{results:?}");
    assert_eq!(provider.chats(), 10, "refused calls never reach the provider");

    let usage = scene
        .ok(
            Some("tenant_admin"),
            "{ tenant { id aiUsage { limitTokens usedTokens reservedTokens remainingTokens } } }",
            json!({}),
        )
        .await;
    let u = &usage["tenant"]["aiUsage"];
    assert_eq!(u["reservedTokens"], 0, "every reservation settled: {usage}");
    let used = u["usedTokens"].as_i64().expect("used");
    assert!(used > 0 && used <= limit, "spent {used} of {limit}");
}

#[tokio::test]
async fn personal_data_is_masked_or_blocked_before_the_provider() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;

    let question = "I am jane.doe@example.org, card 1234-567-890-AB, call me on +1 416 555 0199";
    let r = complete(&scene, "patient", "triage", question).await;
    assert_eq!(r["data"]["complete"]["maskedItems"], 3, "{r}");
    let sent = provider.received("/v1/chat/completions")[0].to_string();
    for secret in ["jane.doe", "example.org", "1234-567-890", "555 0199"] {
        assert!(!sent.contains(secret), "{secret} reached the provider: {sent}");
    }
    assert!(sent.contains("[EMAIL]") && sent.contains("[HEALTH_CARD]") && sent.contains("[PHONE]"), "{sent}");

    scene
        .ok(
            Some("tenant_admin"),
            "mutation { setAiSettings(piiMode: \"block\", logMode: \"full\") { piiMode } }",
            json!({}),
        )
        .await;
    let r = complete(&scene, "patient", "triage", question).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(provider.chats(), 1, "block mode sends nothing");
    let clean = complete(&scene, "patient", "triage", "Is a fever of 38 high?").await;
    assert!(clean["data"]["complete"]["text"].is_string(), "{clean}");

    // Full log mode keeps the text as sent; hash mode (the default) kept none.
    let log = scene.ok(Some("patient"), LOG, json!({})).await;
    let rows = log["aiRequests"]["nodes"].as_array().expect("log");
    assert!(rows[0]["prompt"].as_str().is_some_and(|p| p.contains("fever")), "{log}");
    assert_eq!(rows[2]["prompt"], json!(null), "hash mode stores no text: {log}");
    assert_eq!(rows[2]["promptHash"].as_str().map(str::len), Some(64));
}

#[tokio::test]
async fn retries_timeouts_and_outages_give_coded_errors_and_honest_logs() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;

    // Two 429s, then an answer: the third attempt succeeds.
    provider.script([Behaviour::Status(429), Behaviour::Status(429)]);
    let r = complete(&scene, "patient", "triage", "one").await;
    assert_eq!(r["data"]["complete"]["attempts"], 3, "{r}");

    // 500 on every attempt (1 + 2 retries): the provider is unavailable.
    provider.script([Behaviour::Status(500), Behaviour::Status(502), Behaviour::Status(503)]);
    let r = complete(&scene, "patient", "triage", "two").await;
    assert_eq!(code(&r), "SUBGRAPH_UNAVAILABLE", "{r}");

    // Still 429 after the retries: rate limited.
    provider.script([Behaviour::Status(429), Behaviour::Status(429), Behaviour::Status(429)]);
    let r = complete(&scene, "patient", "triage", "three").await;
    assert_eq!(code(&r), "RATE_LIMITED", "{r}");

    // Slower than the 1 s timeout each time.
    let slow = Behaviour::Delay(Duration::from_millis(1_500));
    provider.script([slow.clone(), slow.clone(), slow]);
    let started = std::time::Instant::now();
    let r = complete(&scene, "patient", "triage", "four").await;
    assert_eq!(code(&r), "SUBGRAPH_UNAVAILABLE", "{r}");
    assert!(r["errors"][0]["message"].as_str().is_some_and(|m| m.contains("in time")), "{r}");
    assert!(started.elapsed() < WITHIN, "bounded by the timeouts");

    // A 400 is not retried.
    provider.script([Behaviour::Status(400)]);
    let r = complete(&scene, "patient", "triage", "five").await;
    assert_eq!(code(&r), "INTERNAL", "{r}");

    let log = scene.ok(Some("patient"), LOG, json!({})).await;
    let rows: Vec<_> = log["aiRequests"]["nodes"]
        .as_array()
        .expect("log")
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or("").to_owned(),
                r["errorCode"].clone(),
                r["attempts"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("failed".into(), json!("INTERNAL"), 1),
            ("failed".into(), json!("SUBGRAPH_UNAVAILABLE"), 3),
            ("failed".into(), json!("RATE_LIMITED"), 3),
            ("failed".into(), json!("SUBGRAPH_UNAVAILABLE"), 3),
            ("ok".into(), json!(null), 3),
        ]
    );
    let usage = scene.ok(Some("tenant_admin"), "{ tenant { aiUsage { reservedTokens } } }", json!({})).await;
    assert_eq!(usage["tenant"]["aiUsage"]["reservedTokens"], 0, "failures release their reservations");
}

#[tokio::test]
async fn answers_pass_safety_checks_and_stream_over_websockets() {
    let provider = FakeProvider::start().await.expect("provider");
    let base = provider.base_url.clone();
    let scene = Scene::start_with(
        move |c| {
            crate::realtime::scene::fast(c);
            c.llm.base_url = Some(base);
            c.sections.set(subgraph_ai::NAME, AiConfig { moderation: true, ..AiConfig::default() });
        },
        Default::default(),
    )
    .await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;

    let r = complete(&scene, "patient", "triage", "FLAGME please").await;
    let c = &r["data"]["complete"];
    assert_eq!(c["flagged"], true, "{r}");
    assert_eq!(c["text"], json!(null), "a flagged answer is withheld");
    assert!(c["flags"].as_array().is_some_and(|f| f.contains(&json!("moderation"))), "{r}");
    assert_eq!(provider.received("/v1/moderations").len(), 1);

    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut ws = scene.ws(Some("patient"), protocol).await;
        ws.subscribe(
            "s",
            "subscription { completionStream(template: \"triage\", variables: [{name: \"question\", value: \"Is sleep important\"}]) \
             { delta done completion { completionTokens flagged } } }",
            json!({}),
        )
        .await
        .expect("subscribe");
        let mut text = String::new();
        loop {
            let msg = ws.next(WITHIN).await.expect("chunk");
            let chunk = &msg["payload"]["data"]["completionStream"];
            assert!(msg["payload"]["errors"].is_null(), "{msg}");
            text.push_str(chunk["delta"].as_str().unwrap_or(""));
            if chunk["done"] == true {
                assert!(chunk["completion"]["completionTokens"].as_i64().is_some_and(|n| n > 0), "{msg}");
                break;
            }
        }
        assert_eq!(text, "You said: Question: Is sleep important", "{protocol}");
    }
    let streamed = provider.received("/v1/chat/completions");
    assert_eq!(streamed.last().map(|b| b["stream"].clone()), Some(json!(true)));
}

/// The budget a tenant is provisioned with is the one the gateway enforces.
#[tokio::test]
async fn the_provisioned_budget_is_the_enforced_one() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    let provisioned = as_token(
        &scene,
        &platform_token(&scene),
        "mutation { provisionTenant(input: {name: \"Budgeted\", type: CLINIC, aiTokenBudget: 1234, \
         admin: {email: \"admin@budgeted.test\", displayName: \"Admin\"}}) { tenant { id } admin { id } } }",
        json!({}),
    )
    .await;
    let p = &provisioned["data"]["provisionTenant"];
    let id = |v: &serde_json::Value| uuid::Uuid::parse_str(v.as_str().expect("id")).expect("uuid");
    let token = crate::realtime::scene::token_for(
        &scene.graph,
        id(&p["tenant"]["id"]),
        id(&p["admin"]["id"]),
        "tenant_admin",
    );
    let usage =
        as_token(&scene, &token, "{ tenant { aiTokenBudget aiUsage { limitTokens } } }", json!({})).await;
    assert_eq!(usage["data"]["tenant"]["aiTokenBudget"], 1234, "{usage}");
    assert_eq!(usage["data"]["tenant"]["aiUsage"]["limitTokens"], 1234, "{usage}");

    // The platform changes the tenant's budget later: the gateway enforces
    // the new one too, not the one it first copied.
    let updated = as_token(
        &scene,
        &platform_token(&scene),
        "mutation($id: ID!) { updateTenant(id: $id, input: {aiTokenBudget: 77}) { aiTokenBudget } }",
        json!({"id": p["tenant"]["id"]}),
    )
    .await;
    assert_eq!(updated["data"]["updateTenant"]["aiTokenBudget"], 77, "{updated}");
    crate::realtime::scene::eventually(crate::realtime::scene::WITHIN, "the AI budget follows", || async {
        let usage = as_token(&scene, &token, "{ tenant { aiUsage { limitTokens } } }", json!({})).await;
        usage["data"]["tenant"]["aiUsage"]["limitTokens"] == 77
    })
    .await;
}

/// A provider that reports more tokens than were reserved never makes the
/// charged total pass the limit: the overrun stops further reservations and
/// is recorded as an incident in the audit log.
#[tokio::test]
async fn a_provider_reporting_more_than_reserved_cannot_overspend() {
    use backbone_entities::platform::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let provider = FakeProvider::start().await.expect("provider");
    provider.report_total_tokens(Some(100));
    provider.always_delay(Some(Duration::from_millis(200)));
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 16).await;
    consent(&scene, "patient", "ai_processing", true).await;
    let question = "Hi";
    let per_call = ("You help patients.".len() + format!("Question: {question}").len()) as i64 + 16;
    let limit = 1_000;
    assert!(per_call < 100, "each call reserves less than the provider reports");
    set_budget(&scene, limit).await;

    let calls = (0..50).map(|_| complete(&scene, "patient", "triage", question));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r["data"]["complete"]["text"].is_string()).count();
    assert!(
        ok > 0
            && results
                .iter()
                .all(|r| r["data"]["complete"]["text"].is_string() || code(r) == "BUDGET_EXCEEDED"),
        "{results:?}"
    );

    let usage = scene
        .ok(
            Some("tenant_admin"),
            "{ tenant { aiUsage { limitTokens usedTokens reservedTokens } } }",
            json!({}),
        )
        .await;
    let u = &usage["tenant"]["aiUsage"];
    assert_eq!(u["reservedTokens"], 0, "{usage}");
    let used = u["usedTokens"].as_i64().expect("used");
    assert!(used <= limit, "charged {used} of a {limit} limit");
    let after = complete(&scene, "patient", "triage", question).await;
    assert_eq!(code(&after), "BUDGET_EXCEEDED", "an overrun stops further reservations: {after}");

    let kit_db = &scene.graph.kit.db;
    let incidents = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(scene.tenant))
        .filter(audit_event::Column::EventType.eq("ai.budget_overrun"))
        .all(kit_db)
        .await
        .expect("audit");
    assert!(!incidents.is_empty(), "the overrun is recorded");
}
