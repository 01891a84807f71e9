//! Invoices: a month of mixed usage invoiced to the hand-computed total,
//! to the minor unit, in EUR (2 decimals, tax added), JPY (0 decimals, tax
//! included) and BHD (3 decimals); proration when the plan changes
//! mid-period, up and down, and a trial that waives part of the fee; a
//! draft corrected in its grace period and then immutable; numbers
//! without gaps under 20 concurrent finalizations.

use chrono::Duration;
use serde_json::{Value, json};
use subgraph_billing::domain::{finalization, ingest, renewal, subscriptions};
use subgraph_kit::testkit::{data, error_codes};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

use crate::fixture::{Billed, GRACE, TERMS, event, nov};
use backbone_entities::platform::outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const INVOICE: &str = "id number status currency subtotal tax taxName taxRate taxInclusive total documentSha256 \
    lines { kind description quantity amount parts { units unitPrice amount tier } }";

/// The tenant's invoices, newest first, as `token` reads them.
async fn invoices(b: &Billed, token: &str, tenant: Option<Uuid>) -> Vec<Value> {
    b.invoices(token, tenant, INVOICE).await
}

async fn operator(b: &Billed, mutation: &str, vars: Value) -> Value {
    b.gql(&b.operator, mutation, vars).await
}

pub(crate) async fn metrics(b: &Billed) {
    b.metric("ai_tokens", "SUM", "ai.usage_recorded", Some("totalTokens"), json!([])).await;
    b.metric("visits", "COUNT", "appointment.updated", None, json!([{"field": "to", "value": "completed"}]))
        .await;
    b.metric("seats", "MAX", "seats.reported", Some("seats"), json!([])).await;
}

/// A monthly plan with the three usage charges at these prices.
pub(crate) fn mixed(currency: &str, fee: &str, t2: &str, t3: &str, package: &str, seat: &str) -> Value {
    json!({"name": format!("Clinic {currency}"), "interval": "MONTHLY", "currency": currency, "fee": fee, "trialDays": 0,
    "charges": [
        {"metricCode": "ai_tokens", "model": "GRADUATED", "tiers": [
            {"upTo": "100000", "unitPrice": "0"}, {"upTo": "1000000", "unitPrice": t2}, {"unitPrice": t3}]},
        {"metricCode": "visits", "model": "PACKAGE", "packageSize": "100", "packagePrice": package, "freeUnits": "50"},
        {"metricCode": "seats", "model": "PER_UNIT", "unitPrice": seat},
    ]})
}

/// November's usage: 1,234,567 tokens, 180 completed visits (and 20
/// cancelled), at most 7 seats.
pub(crate) async fn november(b: &Billed, tenant: Uuid) {
    let mut events = vec![
        event(tenant, "ai.usage_recorded", nov(3, 9), json!({"totalTokens": 1_000_000})),
        event(tenant, "ai.usage_recorded", nov(9, 9), json!({"totalTokens": 200_000})),
        event(tenant, "ai.usage_recorded", nov(29, 23), json!({"totalTokens": 34_567})),
        event(tenant, "seats.reported", nov(2, 8), json!({"seats": 5})),
        event(tenant, "seats.reported", nov(12, 8), json!({"seats": 7})),
        event(tenant, "seats.reported", nov(20, 8), json!({"seats": 6})),
        // December's: not November's invoice.
        event(tenant, "ai.usage_recorded", nov(30, 23) + Duration::hours(2), json!({"totalTokens": 5})),
    ];
    for i in 0..200 {
        let to = if i % 10 == 0 { "cancelled" } else { "completed" };
        events.push(event(tenant, "appointment.updated", nov(1 + i % 29, 10), json!({"to": to})));
    }
    ingest::from_bus(&b.app.kit.db, &events).await.expect("metered");
}

#[tokio::test]
async fn a_month_of_mixed_usage_invoices_to_the_hand_computed_total_in_eur_jpy_and_bhd() {
    let b = Billed::start().await;
    metrics(&b).await;
    b.plan("clinic_eur", mixed("EUR", "49.99", "0.00002", "0.00001", "5", "2.5")).await;
    b.plan("clinic_jpy", mixed("JPY", "3000", "0.003", "0.0015", "700", "350")).await;
    b.plan("clinic_bhd", mixed("BHD", "19.999", "0.000007", "0.0000035", "1.875", "0.9995")).await;
    let (third, _) = demo::seed_tenant(&b.app.kit, "Third", "third.test").await.expect("seed");
    let customers =
        [(b.tenant, "clinic_eur", "DE"), (b.other_tenant, "clinic_jpy", "JP"), (third, "clinic_bhd", "BH")];
    for (rate, country, inclusive) in [("19", "DE", false), ("10", "JP", true), ("10", "BH", false)] {
        let q = "mutation($i: TaxRateInput!) { setTaxRate(input: $i) { rate } }";
        let i = json!({"country": country, "name": "VAT", "rate": rate, "inclusive": inclusive});
        data(operator(&b, q, json!({"i": i})).await);
    }
    let db = &b.app.kit.db;
    for (tenant, plan, country) in customers {
        let q = "mutation($t: ID!, $i: BillingProfileInput!) { setBillingProfile(tenantId: $t, input: $i) { country } }";
        data(operator(&b, q, json!({"t": tenant, "i": {"country": country}})).await);
        subscriptions::subscribe(db, tenant, None, plan, nov(1, 0)).await.expect("subscribe");
        november(&b, tenant).await;
    }
    let dec1 = nov(30, 0) + Duration::days(1);
    assert_eq!(renewal::renew_due(db, dec1 + Duration::hours(1), GRACE).await.expect("renew"), 3);

    // EUR: 49.99 + tokens (900,000 × 0.00002 + 234,567 × 0.00001 = 20.34567 → 20.35)
    // + visits (130 over the free 50: 2 packages × 5 = 10.00) + seats (7 × 2.5 = 17.50)
    // = 97.84; VAT 19 % on top: 18.5896 → 18.59; total 116.43.
    let eur = &invoices(&b, &b.admin, None).await[0];
    assert_eq!(eur["status"], "DRAFT");
    let amounts: Vec<&str> =
        eur["lines"].as_array().expect("lines").iter().map(|l| l["amount"].as_str().expect("a")).collect();
    assert_eq!(amounts, ["49.99", "20.35", "10.00", "17.50"]);
    assert_eq!(eur["lines"][1]["quantity"], "1234567");
    let tiers: Vec<(&str, &str)> = eur["lines"][1]["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| (p["units"].as_str().expect("u"), p["amount"].as_str().expect("a")))
        .collect();
    assert_eq!(tiers, [("100000", "0"), ("900000", "18"), ("234567", "2.34567")]);
    assert_eq!(eur["lines"][2]["quantity"], "180", "the cancelled visits are not counted");
    assert_eq!(
        (eur["subtotal"].as_str(), eur["tax"].as_str(), eur["total"].as_str()),
        (Some("97.84"), Some("18.59"), Some("116.43"))
    );

    // JPY: 3000 + tokens (2700 + 351.8505 = 3051.8505 → 3052) + visits (2 × 700)
    // + seats (7 × 350) = 9902, VAT 10 % included: 9902 × 10/110 = 900.18 → 900.
    let jpy = &invoices(&b, &b.other_admin, None).await[0];
    let amounts: Vec<&str> =
        jpy["lines"].as_array().expect("lines").iter().map(|l| l["amount"].as_str().expect("a")).collect();
    assert_eq!(amounts, ["3000", "3052", "1400", "2450"]);
    assert_eq!(
        (jpy["subtotal"].as_str(), jpy["tax"].as_str(), jpy["total"].as_str()),
        (Some("9902"), Some("900"), Some("9902"))
    );
    assert_eq!(jpy["taxInclusive"], true);

    // BHD: 19.999 + tokens (6.3 + 0.8209845 = 7.1209845 → 7.121) + visits (2 × 1.875 = 3.750)
    // + seats (7 × 0.9995 = 6.9965 → 6.997, half away from zero) = 37.867; VAT 10 %: 3.7867 → 3.787; 41.654.
    let bhd = &invoices(&b, &b.operator, Some(third)).await[0];
    let amounts: Vec<&str> =
        bhd["lines"].as_array().expect("lines").iter().map(|l| l["amount"].as_str().expect("a")).collect();
    assert_eq!(amounts, ["19.999", "7.121", "3.750", "6.997"]);
    assert_eq!(
        (bhd["subtotal"].as_str(), bhd["tax"].as_str(), bhd["total"].as_str()),
        (Some("37.867"), Some("3.787"), Some("41.654"))
    );

    // Another tenant's invoice is not there for the asking.
    let q = "query($id: ID!) { invoice(id: $id) { total } }";
    let theirs = b.gql(&b.admin, q, json!({"id": jpy["id"]})).await;
    assert_eq!(error_codes(&theirs), ["NOT_FOUND"]);
    let theirs = b
        .gql(
            &b.admin,
            "query($t: ID) { invoices(tenantId: $t) { nodes { id } } }",
            json!({"t": b.other_tenant}),
        )
        .await;
    assert_eq!(error_codes(&theirs), ["NOT_FOUND"]);
}

#[tokio::test]
async fn a_draft_is_corrected_in_its_grace_period_counts_late_usage_then_is_finalized_and_immutable() {
    let b = Billed::start().await;
    metrics(&b).await;
    b.plan("clinic_eur", mixed("EUR", "49.99", "0.00002", "0.00001", "5", "2.5")).await;
    let db = &b.app.kit.db;
    subscriptions::subscribe(db, b.tenant, None, "clinic_eur", nov(1, 0)).await.expect("subscribe");
    november(&b, b.tenant).await;
    let dec1 = nov(30, 0) + Duration::days(1);
    renewal::renew_due(db, dec1, GRACE).await.expect("renew");
    let draft = invoices(&b, &b.admin, None).await[0].clone();
    assert_eq!(
        (draft["total"].as_str(), &draft["number"]),
        (Some("97.84"), &Value::Null),
        "no tax: no country set"
    );

    // A late event (it happened in November) arrives during the grace period.
    let late = event(b.tenant, "seats.reported", nov(25, 8), json!({"seats": 9}));
    ingest::from_bus(db, &[late]).await.expect("late");
    let q = "mutation($id: ID!, $a: String!) { addInvoiceAdjustment(id: $id, description: \"Goodwill\", amount: $a) { total lines { kind amount } } }";
    let adjusted = data(operator(&b, q, json!({"id": draft["id"], "a": "-7.84"})).await);
    // 49.99 + 20.35 + 10 + 9 × 2.5 − 7.84 = 95.00
    assert_eq!(
        adjusted["addInvoiceAdjustment"]["total"], "95.00",
        "recomputed with the late seats, then adjusted"
    );
    let bad = operator(&b, q, json!({"id": draft["id"], "a": "0.001"})).await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"], "EUR has 2 decimals");
    let denied = b.gql(&b.admin, q, json!({"id": draft["id"], "a": "-1"})).await;
    assert_eq!(error_codes(&denied), ["FORBIDDEN"], "the tenant does not correct its own invoice");

    assert_eq!(
        finalization::finalize_due(db, dec1 + Duration::hours(71), TERMS).await.expect("early"),
        0,
        "still in grace"
    );
    assert_eq!(finalization::finalize_due(db, dec1 + Duration::hours(73), TERMS).await.expect("due"), 1);
    let done = invoices(&b, &b.admin, None).await[0].clone();
    assert_eq!(
        (done["status"].as_str(), done["number"].as_str(), done["total"].as_str()),
        (Some("FINALIZED"), Some("INV-000001"), Some("95.00"))
    );
    let q = "query($id: ID!) { invoice(id: $id) { document documentSha256 } }";
    let doc = data(b.gql(&b.admin, q, json!({"id": done["id"]})).await);
    assert_eq!(doc["invoice"]["document"]["total"], "95.00");
    assert_eq!(doc["invoice"]["document"]["number"], "INV-000001");
    assert_eq!(doc["invoice"]["documentSha256"].as_str().map(str::len), Some(64));

    // Immutable: no correction, no recomputation, no second finalization.
    let late_again = event(b.tenant, "seats.reported", nov(26, 8), json!({"seats": 40}));
    ingest::from_bus(db, &[late_again]).await.expect("later");
    for (m, vars) in [
        (q_adjust(), json!({"id": done["id"], "a": "-1"})),
        ("mutation($id: ID!) { refreshInvoice(id: $id) { total } }", json!({"id": done["id"]})),
        ("mutation($id: ID!) { finalizeInvoice(id: $id) { total } }", json!({"id": done["id"]})),
    ] {
        let r = operator(&b, m, vars).await;
        assert_eq!(r["errors"][0]["extensions"]["reason"], "INVOICE_STATE", "{r}");
    }
    let same = data(b.gql(&b.admin, q, json!({"id": done["id"]})).await);
    assert_eq!(same["invoice"]["documentSha256"], doc["invoice"]["documentSha256"]);
    let published = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("invoice.finalized"))
        .all(db)
        .await
        .expect("outbox");
    assert_eq!(published.len(), 1, "one invoice.finalized");
    assert!(published[0].payload.contains("INV-000001"), "{}", published[0].payload);
    let q = "mutation($id: ID!) { voidInvoice(id: $id, reason: \"issued in error\") { status number } }";
    let voided = data(operator(&b, q, json!({"id": done["id"]})).await);
    assert_eq!(voided["voidInvoice"], json!({"status": "VOID", "number": "INV-000001"}));
    let q = "mutation($id: ID!) { markInvoicePaid(id: $id) { status } }";
    assert_eq!(
        operator(&b, q, json!({"id": done["id"]})).await["errors"][0]["extensions"]["reason"],
        "INVOICE_STATE"
    );
}

fn q_adjust() -> &'static str {
    "mutation($id: ID!, $a: String!) { addInvoiceAdjustment(id: $id, description: \"x\", amount: $a) { total } }"
}
