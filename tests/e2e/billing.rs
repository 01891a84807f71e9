//! Billing end to end through the router: AI calls a patient makes are
//! metered from the platform's own `ai.usage_recorded` events (no call
//! from the AI subgraph to billing), and the tenant's admin reads the
//! subscription the operator set up and the period's usage on the
//! federated `Tenant`, next to the tenants subgraph's fields.

use std::time::Duration;

use serde_json::json;
use subgraph_kit::testkit::openai::FakeProvider;

use crate::{
    privacy::support::{as_token, complete, consent, platform_token, template, with_provider},
    realtime::scene::eventually,
};

#[tokio::test]
async fn ai_calls_are_metered_from_platform_events_and_the_tenant_reads_its_subscription_through_the_router()
{
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    let operator = platform_token(&scene);
    let q = "mutation($i: CreateBillableMetricInput!) { createBillableMetric(input: $i) { code } }";
    let metric = json!({"code": "ai_tokens", "name": "AI tokens", "aggregation": "SUM",
        "eventType": "ai.usage_recorded", "field": "totalTokens"});
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": metric})).await);
    let q = "mutation($i: PlanInput!) { createPlan(code: \"clinic\", input: $i) { code } }";
    let plan = json!({"name": "Clinic", "interval": "MONTHLY", "currency": "INR", "fee": "999", "trialDays": 0,
        "charges": [{"metricCode": "ai_tokens", "model": "PER_UNIT", "unitPrice": "0.001"}]});
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": plan})).await);
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"clinic\") { status } }";
    let s = subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"t": scene.tenant})).await);
    assert_eq!(s["subscribeTenant"]["status"], "ACTIVE");

    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;
    let mut spent = 0;
    for question in ["Is this rash serious?", "Should I see a doctor today?"] {
        let r = complete(&scene, "patient", "triage", question).await;
        let c = &r["data"]["complete"];
        spent +=
            c["promptTokens"].as_i64().expect("prompt") + c["completionTokens"].as_i64().expect("completion");
    }
    assert!(spent > 0);

    let q = "{ tenant { name subscription { status plan { code currency } currentPeriodEnd } \
             meteredUsage { metric { code } quantity } } }";
    eventually(Duration::from_secs(10), "metered tokens through the router", || async {
        let r = scene.ok(Some("tenant_admin"), q, json!({})).await;
        r["tenant"]["meteredUsage"][0]["quantity"] == json!(spent.to_string())
    })
    .await;
    let r = scene.ok(Some("tenant_admin"), q, json!({})).await;
    let t = &r["tenant"];
    assert!(t["name"].is_string(), "the tenants subgraph's fields beside billing's");
    assert_eq!(t["subscription"]["plan"], json!({"code": "clinic", "currency": "INR"}));
    assert_eq!(t["meteredUsage"][0]["metric"]["code"], "ai_tokens");
    let denied = scene.gql(Some("patient"), "{ tenant { subscription { status } } }", json!({})).await;
    assert_eq!(subgraph_kit::testkit::error_codes(&denied), ["FORBIDDEN"], "a patient does not read billing");
}
