//! Billing end to end through the router: AI calls a patient makes are
//! metered from the platform's own `ai.usage_recorded` events (no call
//! from the AI subgraph to billing), and the tenant's admin reads the
//! subscription the operator set up and the period's usage on the
//! federated `Tenant`, next to the tenants subgraph's fields; the plan's
//! monthly AI tokens are the AI gateway's hard limit.

use std::time::Duration;

use serde_json::json;
use subgraph_kit::testkit::openai::FakeProvider;

use crate::{
    privacy::support::{as_token, code, complete, consent, platform_token, template, with_provider},
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
        "charges": [{"metricCode": "ai_tokens", "model": "PER_UNIT", "unitPrice": "0.001"}],
        "entitlements": [{"key": "ai.tokens_per_month", "limit": "100000"}]});
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": plan})).await);
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"clinic\") { status } }";
    let s = subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"t": scene.tenant})).await);
    assert_eq!(s["subscribeTenant"]["status"], "ACTIVE");

    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;
    let q = "{ tenant { aiUsage { limitTokens } } }";
    eventually(Duration::from_secs(10), "the plan's AI tokens", || async {
        scene.ok(Some("tenant_admin"), q, json!({})).await["tenant"]["aiUsage"]["limitTokens"]
            == json!(100_000)
    })
    .await;
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

/// The plan's `ai.tokens_per_month` becomes the AI gateway's limit (its
/// reservation pattern enforces it): 20 concurrent calls get exactly the
/// 10 the plan allows, and the call after is refused with its code.
#[tokio::test]
async fn an_ai_call_is_refused_once_the_plans_monthly_tokens_are_spent_and_concurrency_never_exceeds_them() {
    let provider = FakeProvider::start().await.expect("provider");
    provider.always_delay(Some(Duration::from_millis(300)));
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;
    let question = "How much water should I drink?";
    let prompt_bytes = ("You help patients.".len() + format!("Question: {question}").len()) as i64;
    let limit = (prompt_bytes + 100) * 10;

    let operator = platform_token(&scene);
    let q = "mutation($i: PlanInput!) { createPlan(code: \"starter\", input: $i) { entitlements { key limit hard } } }";
    let plan = json!({"name": "Starter", "interval": "MONTHLY", "currency": "INR", "fee": "0",
        "entitlements": [{"key": "ai.tokens_per_month", "limit": limit.to_string()}, {"key": "documents.esign"}]});
    let created = subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": plan})).await);
    assert_eq!(created["createPlan"]["entitlements"][0]["hard"], true, "hard unless said otherwise");
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"starter\") { status } }";
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"t": scene.tenant})).await);

    let q = "{ tenant { aiUsage { limitTokens } entitlements { key limit } } }";
    eventually(Duration::from_secs(10), "the plan's tokens as the AI budget", || async {
        scene.ok(Some("tenant_admin"), q, json!({})).await["tenant"]["aiUsage"]["limitTokens"] == json!(limit)
    })
    .await;
    let t = scene.ok(Some("tenant_admin"), q, json!({})).await;
    assert_eq!(t["tenant"]["entitlements"][1], json!({"key": "documents.esign", "limit": null}));

    let calls = (0..20).map(|_| complete(&scene, "patient", "triage", question));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r["data"]["complete"]["text"].is_string()).count();
    let refused = results.iter().filter(|r| code(r) == "BUDGET_EXCEEDED").count();
    assert_eq!((ok, refused), (10, 10), "{results:?}");
    assert_eq!(provider.chats(), 10, "refused calls never reach the provider");
    // Spent call by call (each settles what it really used) until refused.
    provider.always_delay(None);
    let mut refused_at = None;
    for n in 0..100 {
        let r = complete(&scene, "patient", "triage", question).await;
        if r["errors"].is_array() {
            assert_eq!(code(&r), "BUDGET_EXCEEDED", "{r}");
            refused_at = Some(n);
            break;
        }
    }
    assert!(refused_at.is_some(), "refused once the month's tokens are spent");
    let u = scene
        .ok(Some("tenant_admin"), "{ tenant { aiUsage { usedTokens reservedTokens } } }", json!({}))
        .await;
    let used = u["tenant"]["aiUsage"]["usedTokens"].as_i64().expect("used");
    assert!(used <= limit && u["tenant"]["aiUsage"]["reservedTokens"] == 0, "spent {used} of {limit}");

    // Ending the subscription withdraws the grant: no tokens at all.
    let q = "mutation($t: ID!) { cancelSubscription(tenantId: $t, timing: IMMEDIATELY) { status } }";
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"t": scene.tenant})).await);
    eventually(Duration::from_secs(10), "no AI budget without a plan", || async {
        let r = scene.ok(Some("tenant_admin"), "{ tenant { aiUsage { limitTokens } } }", json!({})).await;
        r["tenant"]["aiUsage"]["limitTokens"] == json!(0)
    })
    .await;
}

/// Dunning end to end: an invoice still owing after its due date reaches
/// the tenant admin's inbox through the notifications subgraph, and
/// nobody else's.
#[tokio::test]
async fn an_overdue_invoice_reaches_the_tenant_admins_inbox() {
    use subgraph_billing::domain::{dunning, finalization, renewal, subscriptions};
    let scene = crate::realtime::scene::Scene::start().await;
    let operator = platform_token(&scene);
    let q = "mutation($i: PlanInput!) { createPlan(code: \"basic\", input: $i) { code } }";
    let plan = json!({"name": "Basic", "interval": "MONTHLY", "currency": "EUR", "fee": "30"});
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": plan})).await);
    let db = &scene.graph.kit.db;
    let start = chrono::Utc::now() - chrono::Duration::days(70);
    subscriptions::subscribe(db, scene.tenant, None, "basic", start).await.expect("subscribe");
    let now = chrono::Utc::now();
    renewal::renew_due(db, start + chrono::Duration::days(32), chrono::Duration::hours(1))
        .await
        .expect("renew");
    finalization::finalize_due(db, now, chrono::Duration::days(14)).await.expect("finalize");
    // Seen from 20 days on: due after 14.
    let (noticed, _) = dunning::run(db, now + chrono::Duration::days(20), chrono::Duration::days(30))
        .await
        .expect("dunning");
    assert_eq!(noticed, 1);

    let inbox = "{ notifications { nodes { category title body } } }";
    eventually(Duration::from_secs(10), "the overdue notice in the admin's inbox", || async {
        let r = scene.ok(Some("tenant_admin"), inbox, json!({})).await;
        r["notifications"]["nodes"].as_array().is_some_and(|n| n.iter().any(|x| x["category"] == "billing"))
    })
    .await;
    let r = scene.ok(Some("tenant_admin"), inbox, json!({})).await;
    let notice = r["notifications"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|x| x["category"] == "billing")
        .cloned()
        .expect("notice");
    assert!(
        notice["title"].as_str().is_some_and(|t| t.starts_with("Invoice INV-000001 is overdue")),
        "{notice}"
    );
    assert!(notice["body"].as_str().is_some_and(|b| b.contains("30.00 EUR")), "{notice}");
    let staff = scene.ok(Some("staff"), inbox, json!({})).await;
    assert!(
        staff["notifications"]["nodes"].as_array().expect("nodes").iter().all(|x| x["category"] != "billing")
    );
}

/// A `billing_admin` token runs billing for every tenant (the catalogue,
/// subscriptions, invoices) and nothing else of the platform's; a tenant's
/// own admin only reads.
#[tokio::test]
async fn a_billing_admin_runs_billing_for_every_tenant_and_nothing_else() {
    let scene = crate::realtime::scene::Scene::start().await;
    let billing = crate::realtime::scene::token_for(
        &scene.graph,
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        backbone_schema::roles::BILLING_ADMIN,
    );
    let q = "mutation($i: PlanInput!) { createPlan(code: \"starter\", input: $i) { code version } }";
    let plan = json!({"name": "Starter", "interval": "MONTHLY", "currency": "EUR", "fee": "9", "trialDays": 0,
        "charges": []});
    let created = subgraph_kit::testkit::data(as_token(&scene, &billing, q, json!({"i": plan})).await);
    assert_eq!(created["createPlan"], json!({"code": "starter", "version": 1}));
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"starter\") { status } }";
    let s = subgraph_kit::testkit::data(as_token(&scene, &billing, q, json!({"t": scene.tenant})).await);
    assert_eq!(s["subscribeTenant"]["status"], "ACTIVE");
    let q = "query($t: ID) { invoices(tenantId: $t) { nodes { id } } }";
    let read = subgraph_kit::testkit::data(as_token(&scene, &billing, q, json!({"t": scene.tenant})).await);
    assert_eq!(read["invoices"]["nodes"], json!([]));

    // Nothing else of the platform's: not the tenants, not their AI budgets.
    let q = "mutation($t: ID!) { setAiBudget(tenantId: $t, limitTokens: 5) { limitTokens } }";
    assert_eq!(code(&as_token(&scene, &billing, q, json!({"t": scene.tenant})).await), "FORBIDDEN");
    let q = "{ tenants { edges { node { id } } } }";
    assert_eq!(code(&as_token(&scene, &billing, q, json!({})).await), "FORBIDDEN");

    // The tenant's own admin reads its subscription but does not change it.
    let q = "mutation($t: ID!) { cancelSubscription(tenantId: $t, timing: IMMEDIATELY) { status } }";
    let denied = scene.gql(Some("tenant_admin"), q, json!({"t": scene.tenant})).await;
    assert_eq!(code(&denied), "FORBIDDEN");
    let r = scene.ok(Some("tenant_admin"), "{ tenant { subscription { status } } }", json!({})).await;
    assert_eq!(r["tenant"]["subscription"]["status"], "ACTIVE");
}

/// The plan's other limits are enforced by the subgraphs that spend them,
/// from their own copy of the grant: scheduling refuses the booking past
/// `scheduling.appointments_per_month` (hard), and the tenants subgraph
/// lets an invitation past a soft `tenants.max_users` through and tells
/// the tenant's admins once it is passed.
#[tokio::test]
async fn appointments_and_users_are_limited_where_they_are_spent_and_a_soft_limit_tells_the_admins() {
    use subgraph_kit::quota;
    let scene = crate::realtime::scene::Scene::start_with(
        crate::realtime::appointments::quick_sweeps,
        backbone::dev::DevOptions::default(),
    )
    .await;
    let service = crate::realtime::appointments::clinic(&scene, &[]).await;
    let billing = crate::realtime::scene::token_for(
        &scene.graph,
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        backbone_schema::roles::BILLING_ADMIN,
    );
    let users =
        scene.ok(Some("tenant_admin"), "{ tenant { usage { activeUsers invitedUsers } } }", json!({})).await;
    let count = users["tenant"]["usage"]["activeUsers"].as_i64().expect("active")
        + users["tenant"]["usage"]["invitedUsers"].as_i64().expect("invited");
    let q = "mutation($i: PlanInput!) { createPlan(code: \"small\", input: $i) { code } }";
    let plan = json!({"name": "Small clinic", "interval": "MONTHLY", "currency": "EUR", "fee": "19", "trialDays": 0,
        "charges": [], "entitlements": [
            {"key": "scheduling.appointments_per_month", "limit": "2"},
            {"key": "tenants.max_users", "limit": (count + 1).to_string(), "hard": false}]});
    subgraph_kit::testkit::data(as_token(&scene, &billing, q, json!({"i": plan})).await);
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"small\") { status } }";
    subgraph_kit::testkit::data(as_token(&scene, &billing, q, json!({"t": scene.tenant})).await);
    let db = &scene.graph.kit.db;
    eventually(Duration::from_secs(10), "both subgraphs follow the plan", || async {
        let booked =
            quota::grant(db, scene.tenant, "scheduling.appointments_per_month").await.expect("grant");
        let users = quota::grant(db, scene.tenant, "tenants.max_users").await.expect("grant");
        booked.is_some() && users.is_some()
    })
    .await;
    let r = scene.ok(Some("tenant_admin"), "{ tenant { usage { maxUsers } } }", json!({})).await;
    assert_eq!(r["tenant"]["usage"]["maxUsers"], count + 1, "the plan's limit");

    let q = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }";
    let mut answers = Vec::new();
    for day in 1..=3 {
        let at = chrono::Utc::now() + chrono::Duration::days(day);
        let input = json!({"serviceId": service, "startsAt": at, "timeZone": "UTC", "patientId": scene.user("patient")});
        answers.push(scene.gql(Some("staff"), q, json!({"i": input})).await);
    }
    assert!(answers[..2].iter().all(|a| a["errors"].is_null()), "{answers:?}");
    assert_eq!(code(&answers[2]), "BUDGET_EXCEEDED", "{:?}", answers[2]);
    assert_eq!(answers[2]["errors"][0]["extensions"]["reason"], "ENTITLEMENT_LIMIT");
    let message = answers[2]["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("allows 2"), "a clear reason: {message}");

    let q = "mutation($i: InviteUserInput!) { inviteUser(input: $i) { id } }";
    for n in 0..2 {
        let i = json!({"email": format!("new{n}@demo.test"), "displayName": format!("New {n}")});
        scene.ok(Some("tenant_admin"), q, json!({"i": i})).await;
    }
    let notices = || async {
        let q = "{ notifications(first: 20) { edges { node { title body } } } }";
        let n = scene.ok(Some("tenant_admin"), q, json!({})).await;
        n["notifications"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["node"]["title"].as_str().is_some_and(|t| t.contains("tenants.max_users")))
            .map(|e| e["node"]["body"].clone())
            .collect::<Vec<_>>()
    };
    eventually(Duration::from_secs(10), "the soft limit noticed", || async { !notices().await.is_empty() })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = notices().await;
    assert_eq!(got.len(), 1, "once, when the count passed the limit: {got:?}");
    assert!(got[0].as_str().is_some_and(|b| b.contains(&(count + 2).to_string())), "{got:?}");
}

/// A soft `ai.tokens_per_month` lets calls past it through and tells the
/// tenant's admins once that month (the gateway reports its tokens after
/// each call; the notice goes through the notifications subgraph).
#[tokio::test]
async fn a_soft_ai_token_grant_lets_calls_through_and_tells_the_admins_once() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    let operator = platform_token(&scene);
    let q = "mutation($i: PlanInput!) { createPlan(code: \"soft_ai\", input: $i) { code } }";
    let plan = json!({"name": "Soft AI", "interval": "MONTHLY", "currency": "EUR", "fee": "5", "trialDays": 0,
        "charges": [], "entitlements": [{"key": "ai.tokens_per_month", "limit": "5", "hard": false}]});
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"i": plan})).await);
    let q = "mutation($t: ID!) { subscribeTenant(tenantId: $t, planCode: \"soft_ai\") { status } }";
    subgraph_kit::testkit::data(as_token(&scene, &operator, q, json!({"t": scene.tenant})).await);
    let db = &scene.graph.kit.db;
    eventually(Duration::from_secs(10), "the AI gateway follows the soft grant", || async {
        let grant = subgraph_kit::quota::grant(db, scene.tenant, "ai.tokens_per_month").await.expect("grant");
        grant == Some(subgraph_kit::quota::Grant { limit: Some(5), hard: false })
    })
    .await;
    template(&scene, "triage", 100).await;
    consent(&scene, "patient", "ai_processing", true).await;
    for question in ["Is this rash serious?", "Should I see a doctor today?", "What about tomorrow?"] {
        let r = complete(&scene, "patient", "triage", question).await;
        assert!(r["errors"].is_null(), "a soft limit refuses nothing: {r}");
    }
    let notices = || async {
        let q = "{ notifications(first: 20) { edges { node { title } } } }";
        let n = scene.ok(Some("tenant_admin"), q, json!({})).await;
        n["notifications"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["node"]["title"].as_str().is_some_and(|t| t.contains("ai.tokens_per_month")))
            .count()
    };
    eventually(Duration::from_secs(10), "the soft limit noticed", || async { notices().await > 0 }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(notices().await, 1, "once this month, however many calls pass it");
}
