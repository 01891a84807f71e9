//! Proration: a plan changed mid-period, up or down, charges each plan's
//! fee for its share of the period and the usage of each part at that
//! part's prices; a trial waives the fee for its days but not the usage;
//! a subscription cancelled now gets a last invoice for what it ran.

use chrono::Duration;
use serde_json::{Value, json};
use subgraph_billing::domain::{
    ingest, renewal,
    subscriptions::{self, Timing},
};

use crate::fixture::{Billed, GRACE, event, nov};

const FIELDS: &str = "total periodStart periodEnd lines { kind description quantity amount }";

fn plan(name: &str, fee: &str, per_call: &str, trial: i32) -> Value {
    json!({"name": name, "interval": "MONTHLY", "currency": "EUR", "fee": fee, "trialDays": trial,
        "charges": [{"metricCode": "api_calls", "model": "PER_UNIT", "unitPrice": per_call}]})
}

fn amounts(invoice: &Value) -> Vec<(String, String)> {
    invoice["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (l["description"].as_str().expect("d").to_owned(), l["amount"].as_str().expect("a").to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_mid_period_change_charges_each_plan_for_its_part_up_and_down_and_a_trial_waives_only_the_fee() {
    let b = Billed::start().await;
    b.metric("api_calls", "COUNT", "api.called", None, json!([])).await;
    b.plan("basic", plan("Basic", "30", "0.10", 0)).await;
    b.plan("pro", plan("Pro", "60", "0.05", 0)).await;
    b.plan("pro_trial", plan("Pro trial", "60", "0.05", 10)).await;
    let (third, _) =
        subgraph_tenants::domain::demo::seed_tenant(&b.app.kit, "Third", "third.test").await.expect("seed");
    let db = &b.app.kit.db;
    let (up, down) = (b.tenant, b.other_tenant);
    subscriptions::subscribe(db, up, None, "basic", nov(1, 0)).await.expect("subscribe");
    subscriptions::subscribe(db, down, None, "pro", nov(1, 0)).await.expect("subscribe");
    subscriptions::subscribe(db, third, None, "pro_trial", nov(1, 0)).await.expect("subscribe");
    let mut calls = Vec::new();
    for tenant in [up, down, third] {
        calls.extend((0..10).map(|_| event(tenant, "api.called", nov(5, 9), json!({}))));
        calls.extend((0..20).map(|_| event(tenant, "api.called", nov(20, 9), json!({}))));
    }
    ingest::from_bus(db, &calls).await.expect("metered");
    // Up on Nov 16 (15 of 30 days each), down on Nov 11 (10 days of Pro, 20 of Basic).
    subscriptions::change_plan(db, up, None, "pro", Timing::Immediately, nov(16, 0)).await.expect("up");
    subscriptions::change_plan(db, down, None, "basic", Timing::Immediately, nov(11, 0)).await.expect("down");
    renewal::renew_due(db, nov(30, 0) + Duration::days(1), GRACE).await.expect("renew");

    let upgraded = &b.invoices(&b.operator, Some(up), FIELDS).await[0];
    let expected = [
        ("Basic (v1) subscription fee", "15.00"),
        ("api_calls (Basic)", "1.00"),
        ("Pro (v1) subscription fee", "30.00"),
        ("api_calls (Pro)", "1.00"),
    ];
    let got = amounts(upgraded);
    assert_eq!(got.iter().map(|(d, a)| (d.as_str(), a.as_str())).collect::<Vec<_>>(), expected);
    assert_eq!(upgraded["lines"][0]["quantity"], "0.5");
    assert_eq!(upgraded["total"], "47.00", "10 calls at 0.10 before, 20 at 0.05 after");

    let downgraded = &b.invoices(&b.operator, Some(down), FIELDS).await[0];
    let got = amounts(downgraded);
    let expected = [
        ("Pro (v1) subscription fee", "20.00"),
        ("api_calls (Pro)", "0.50"),
        ("Basic (v1) subscription fee", "20.00"),
        ("api_calls (Basic)", "2.00"),
    ];
    assert_eq!(got.iter().map(|(d, a)| (d.as_str(), a.as_str())).collect::<Vec<_>>(), expected);
    assert_eq!(downgraded["total"], "42.50");

    // Ten trial days: the fee for Nov 11 – Dec 1 (20/30 of 60 = 40), every call charged.
    let trial = &b.invoices(&b.operator, Some(third), FIELDS).await[0];
    assert_eq!(
        amounts(trial),
        [
            ("Pro trial (v1) subscription fee".into(), "40.00".into()),
            ("api_calls (Pro trial)".into(), "1.50".into())
        ]
    );
}

#[tokio::test]
async fn a_subscription_cancelled_now_gets_a_last_invoice_for_the_part_it_ran() {
    let b = Billed::start().await;
    b.metric("api_calls", "COUNT", "api.called", None, json!([])).await;
    b.plan("basic", plan("Basic", "30", "0.10", 0)).await;
    let db = &b.app.kit.db;
    subscriptions::subscribe(db, b.tenant, None, "basic", nov(1, 0)).await.expect("subscribe");
    let calls: Vec<_> = (0..10).map(|_| event(b.tenant, "api.called", nov(5, 9), json!({}))).collect();
    ingest::from_bus(db, &calls).await.expect("metered");
    subscriptions::cancel(db, b.tenant, None, Timing::Immediately, nov(7, 0), GRACE).await.expect("cancel");
    let last = &b.invoices(&b.admin, None, FIELDS).await[0];
    // Six days of a 30-day month: 30 × 6/30 = 6.00, and the 10 calls.
    assert_eq!(
        amounts(last),
        [("Basic (v1) subscription fee".into(), "6.00".into()), ("api_calls (Basic)".into(), "1.00".into())]
    );
    assert_eq!(last["periodEnd"], "2026-11-07T00:00:00+00:00");
    assert_eq!(
        renewal::renew_due(db, nov(30, 0) + Duration::days(2), GRACE).await.expect("renew"),
        0,
        "nothing left to renew"
    );
}
