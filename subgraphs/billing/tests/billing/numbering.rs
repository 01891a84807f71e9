//! Invoice numbers: 20 drafts finalized at once (and 5 of them twice)
//! through the API get the numbers 1 to 20 of the tenant's prefix, each
//! once, with no gap; the finalizations that lose the race take none.

use chrono::{Duration, TimeZone, Utc};
use futures::future::join_all;
use serde_json::{Value, json};
use subgraph_billing::domain::{renewal, subscriptions};
use subgraph_kit::testkit::data;

use crate::fixture::{Billed, GRACE};

#[tokio::test]
async fn twenty_concurrent_finalizations_take_the_numbers_one_to_twenty_without_gaps() {
    let b = Billed::start().await;
    let plan = json!({"name": "Basic", "interval": "MONTHLY", "currency": "EUR", "fee": "30", "trialDays": 0, "charges": []});
    b.plan("basic", plan).await;
    let q = "mutation($t: ID!) { setBillingProfile(tenantId: $t, input: {invoicePrefix: \"ACME-\"}) { invoicePrefix } }";
    data(b.gql(&b.operator, q, json!({"t": b.tenant})).await);
    let db = &b.app.kit.db;
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("date");
    subscriptions::subscribe(db, b.tenant, None, "basic", start).await.expect("subscribe");
    let now = Utc.with_ymd_and_hms(2026, 9, 1, 1, 0, 0).single().expect("date");
    assert_eq!(renewal::renew_due(db, now, GRACE).await.expect("renew"), 20, "Jan 2025 to Aug 2026");
    let drafts: Vec<String> = b
        .invoices(&b.admin, None, "id")
        .await
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(drafts.len(), 20);

    let q = "mutation($id: ID!) { finalizeInvoice(id: $id) { number } }";
    let twice = drafts.iter().take(5);
    let calls = drafts.iter().chain(twice).map(|id| b.gql(&b.operator, q, json!({"id": id})));
    let answers: Vec<Value> = join_all(calls).await;
    let mut numbers: Vec<String> = answers
        .iter()
        .filter_map(|a| a["data"]["finalizeInvoice"]["number"].as_str().map(str::to_owned))
        .collect();
    let lost: Vec<&Value> = answers.iter().filter(|a| a["errors"].is_array()).collect();
    assert_eq!(lost.len(), 5, "each draft is finalized once");
    assert!(lost.iter().all(|a| a["errors"][0]["extensions"]["reason"] == "INVOICE_STATE"));
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("ACME-{n:06}")).collect();
    assert_eq!(numbers, expected);

    // The next one continues the sequence.
    let later = now + Duration::days(31);
    renewal::renew_due(db, later, GRACE).await.expect("renew");
    let newest = b.invoices(&b.admin, None, "id status").await[0].clone();
    assert_eq!(newest["status"], "DRAFT");
    let r = data(b.gql(&b.operator, q, json!({"id": newest["id"]})).await);
    assert_eq!(r["finalizeInvoice"]["number"], "ACME-000021");
}
