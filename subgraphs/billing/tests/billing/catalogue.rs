//! The plan catalogue over HTTP: the platform operator writes metrics and
//! plans, a revision is a new version beside the old one, tenant admins
//! read but cannot write, previews price usage to the minor unit, and bad
//! catalogues are refused with the field named.

use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data, error_codes};
use subgraph_tenants::domain::demo;

struct Operator {
    app: TestApp,
    admin: String,
    tenant_admin: String,
}

impl Operator {
    async fn start() -> Self {
        let app = TestApp::serve(&subgraph_billing::Billing, &[&subgraph_tenants::Tenants], |_| {})
            .await
            .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let admin_id = users.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
        let tenant_admin = app.token(tenant, admin_id, &["tenant_admin"]);
        let admin = app.platform_token();
        Self { app, admin, tenant_admin }
    }

    async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.app.gql(Some(token), query, variables).await.expect("request")
    }

    async fn metric(&self, code: &str, aggregation: &str, field: Option<&str>) -> Value {
        let q = "mutation($i: CreateBillableMetricInput!) { createBillableMetric(input: $i) { code aggregation field filters { field value } } }";
        let i = json!({"code": code, "name": code, "aggregation": aggregation, "eventType": "ai.usage_recorded", "field": field,
            "filters": [{"field": "kind", "value": "chat"}]});
        self.gql(&self.admin, q, json!({"i": i})).await
    }
}

const PLAN_FIELDS: &str = "code version name interval currency fee trialDays charges { metric { code } model unitPrice tiers { upTo unitPrice flatFee } packageSize packagePrice freeUnits }";

fn graduated(currency: &str, fee: &str) -> Value {
    json!({"name": "Clinic Pro", "interval": "MONTHLY", "currency": currency, "fee": fee, "trialDays": 14, "charges": [
        {"metricCode": "ai_tokens", "model": "GRADUATED", "tiers": [
            {"upTo": "100000", "unitPrice": "0", "flatFee": "0"},
            {"upTo": "1000000", "unitPrice": "0.00002"},
            {"unitPrice": "0.00001"}]},
        {"metricCode": "appointments", "model": "PACKAGE", "packageSize": "100", "packagePrice": "5", "freeUnits": "50"}
    ]})
}

async fn create_plan(op: &Operator, code: &str, input: Value) -> Value {
    let q = format!(
        "mutation($c: String!, $i: PlanInput!) {{ createPlan(code: $c, input: $i) {{ {PLAN_FIELDS} }} }}"
    );
    op.gql(&op.admin, &q, json!({"c": code, "i": input})).await
}

#[tokio::test]
async fn the_operator_writes_plans_tenants_read_them_and_a_revision_keeps_the_old_version() {
    let op = Operator::start().await;
    let m = data(op.metric("ai_tokens", "SUM", Some("tokens")).await);
    assert_eq!(m["createBillableMetric"]["filters"], json!([{"field": "kind", "value": "chat"}]));
    data(op.metric("appointments", "COUNT", None).await);

    let created = data(create_plan(&op, "clinic_pro", graduated("EUR", "49.00")).await);
    let plan = &created["createPlan"];
    assert_eq!((plan["version"].as_i64(), plan["fee"].as_str()), (Some(1), Some("49")));
    assert_eq!(
        plan["charges"][0]["tiers"][1],
        json!({"upTo": "1000000", "unitPrice": "0.00002", "flatFee": "0"})
    );
    assert_eq!(plan["charges"][1]["freeUnits"], "50");

    let mut cheaper = graduated("EUR", "39.00");
    cheaper["name"] = json!("Clinic Pro (2027)");
    let q = format!(
        "mutation($c: String!, $i: PlanInput!) {{ revisePlan(code: $c, input: $i) {{ {PLAN_FIELDS} }} }}"
    );
    let revised = data(op.gql(&op.admin, &q, json!({"c": "clinic_pro", "i": cheaper})).await);
    assert_eq!(revised["revisePlan"]["version"], 2);

    // Tenant admins read the catalogue: the latest version, and the first
    // one still as it was.
    let q = "{ plans { code version fee } v1: plan(code: \"clinic_pro\", version: 1) { name fee } billableMetrics { code } }";
    let read = data(op.gql(&op.tenant_admin, q, json!({})).await);
    assert_eq!(read["plans"], json!([{"code": "clinic_pro", "version": 2, "fee": "39"}]));
    assert_eq!(read["v1"], json!({"name": "Clinic Pro", "fee": "49"}));
    assert_eq!(read["billableMetrics"], json!([{"code": "ai_tokens"}, {"code": "appointments"}]));

    // But they do not write it.
    let tried = op
        .gql(
            &op.tenant_admin,
            "mutation($i: PlanInput!) { createPlan(code: \"mine\", input: $i) { code } }",
            json!({"i": graduated("EUR", "1")}),
        )
        .await;
    assert_eq!(error_codes(&tried), ["FORBIDDEN"]);
    let anonymous = op.app.gql(None, "{ plans { code } }", json!({})).await.expect("request");
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn previews_price_usage_to_the_minor_unit_of_the_plans_currency() {
    let op = Operator::start().await;
    data(op.metric("ai_tokens", "SUM", Some("tokens")).await);
    data(op.metric("appointments", "COUNT", None).await);
    for (code, currency, fee) in
        [("pro_eur", "EUR", "49.00"), ("pro_jpy", "JPY", "4900"), ("pro_bhd", "BHD", "19.500")]
    {
        data(create_plan(&op, code, graduated(currency, fee)).await);
    }
    let q = "query($c: String!, $m: String!, $q: String!) { plan(code: $c) { previewCharge(metricCode: $m, quantity: $q) { amount currency parts { units unitPrice amount tier } } } }";
    // 1,234,567 tokens: 100,000 free, 900,000 × 0.00002 = 18, 234,567 × 0.00001 = 2.34567.
    for (code, amount) in [("pro_eur", "20.35"), ("pro_jpy", "20"), ("pro_bhd", "20.346")] {
        let p = data(op.gql(&op.tenant_admin, q, json!({"c": code, "m": "ai_tokens", "q": "1234567"})).await);
        let preview = &p["plan"]["previewCharge"];
        assert_eq!(preview["amount"], amount, "{code}: {preview}");
        assert_eq!(
            preview["parts"][2],
            json!({"units": "234567", "unitPrice": "0.00001", "amount": "2.34567", "tier": 2})
        );
    }
    // 151 appointments after 50 free: two packages of 100.
    let p = data(op.gql(&op.tenant_admin, q, json!({"c": "pro_eur", "m": "appointments", "q": "151"})).await);
    assert_eq!(p["plan"]["previewCharge"]["amount"], "10.00");
    let bad = op.gql(&op.tenant_admin, q, json!({"c": "pro_eur", "m": "appointments", "q": "-1"})).await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn bad_catalogues_are_refused_with_the_field_named() {
    let op = Operator::start().await;
    data(op.metric("ai_tokens", "SUM", Some("tokens")).await);
    data(op.metric("appointments", "COUNT", None).await);
    let field = |r: &Value| {
        r["errors"][0]["extensions"]["field"].as_str().map(str::to_owned).unwrap_or_else(|| r.to_string())
    };
    let mut cases: Vec<(Value, &str)> = vec![
        (graduated("EURO", "1"), "currency"),
        (graduated("XAU", "1"), "currency"),
        (graduated("JPY", "10.5"), "fee"),
        (graduated("EUR", "-1"), "fee"),
        (graduated("EUR", "one"), "fee"),
    ];
    let mut overlapping = graduated("EUR", "1");
    overlapping["charges"][0]["tiers"][1]["upTo"] = json!("100000");
    cases.push((overlapping, "tiers"));
    let mut unknown = graduated("EUR", "1");
    unknown["charges"][1]["metricCode"] = json!("documents_signed");
    cases.push((unknown, "charges"));
    let mut twice = graduated("EUR", "1");
    twice["charges"][1] = twice["charges"][0].clone();
    cases.push((twice, "charges"));
    let mut missing = graduated("EUR", "1");
    missing["charges"][1] = json!({"metricCode": "appointments", "model": "PER_UNIT"});
    cases.push((missing, "unitPrice"));
    let mut negative = graduated("EUR", "1");
    negative["charges"][1] = json!({"metricCode": "appointments", "model": "PER_UNIT", "unitPrice": "-0.5"});
    cases.push((negative, "unitPrice"));
    for (input, expected) in cases {
        let r = create_plan(&op, "broken", input.clone()).await;
        assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{input}: {r}");
        assert_eq!(field(&r), expected, "{input}: {r}");
    }
    // Nothing half-written: the code is still free.
    data(create_plan(&op, "broken", graduated("EUR", "1")).await);
    let again = create_plan(&op, "broken", graduated("EUR", "1")).await;
    assert_eq!(error_codes(&again), ["CONFLICT"]);
    let q = "mutation($i: PlanInput!) { revisePlan(code: \"broken\", input: $i) { version } }";
    let other_currency = op.gql(&op.admin, q, json!({"i": graduated("USD", "1")})).await;
    assert_eq!(field(&other_currency), "currency");
    let q = "mutation($i: PlanInput!) { revisePlan(code: \"nothing\", input: $i) { version } }";
    assert_eq!(error_codes(&op.gql(&op.admin, q, json!({"i": graduated("EUR", "1")})).await), ["NOT_FOUND"]);
    assert_eq!(error_codes(&op.metric("ai_tokens", "SUM", Some("tokens")).await), ["CONFLICT"]);
    assert_eq!(field(&op.metric("sessions", "SUM", None).await), "field");
    assert_eq!(field(&op.metric("Bad Code", "COUNT", None).await), "code");
}
