//! Usage reported after its period's invoice was finalized is charged on
//! the next invoice, once: the difference between what the period's usage
//! now prices to (tiers included) and what was charged for it.

use chrono::Duration;
use serde_json::{Value, json};
use subgraph_billing::domain::{finalization, ingest, renewal, subscriptions};

use crate::fixture::{Billed, GRACE, TERMS, event, nov};
use crate::invoices::{metrics, mixed, november};

const INVOICE: &str = "id status total lines { kind description quantity amount }";

/// Closes the period ending `at` and finalizes its invoice after grace;
/// returns the tenant's invoices, newest first.
async fn close(b: &Billed, at: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
    let db = &b.app.kit.db;
    assert_eq!(renewal::renew_due(db, at, GRACE).await.expect("renew"), 1);
    assert_eq!(finalization::finalize_due(db, at + GRACE + Duration::hours(1), TERMS).await.expect("fin"), 1);
    b.invoices(&b.admin, None, INVOICE).await
}

fn amounts(invoice: &Value) -> Vec<(String, String, String)> {
    invoice["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            let s = |k: &str| l[k].as_str().expect("text").to_owned();
            (s("kind"), s("quantity"), s("amount"))
        })
        .collect()
}

#[tokio::test]
async fn usage_reported_after_its_invoice_is_final_is_charged_on_the_next_one_once() {
    let b = Billed::start().await;
    metrics(&b).await;
    b.plan("clinic_eur", mixed("EUR", "49.99", "0.00002", "0.00001", "5", "2.5")).await;
    let db = &b.app.kit.db;
    subscriptions::subscribe(db, b.tenant, None, "clinic_eur", nov(1, 0)).await.expect("subscribe");
    november(&b, b.tenant).await;
    let dec1 = nov(30, 0) + Duration::days(1);
    let nov_invoice = close(&b, dec1).await[0].clone();
    assert_eq!(
        (nov_invoice["status"].as_str(), nov_invoice["total"].as_str()),
        (Some("FINALIZED"), Some("97.84"))
    );

    // November's usage keeps arriving after its invoice is final: 40 seats
    // (the max was 7) and 100,000 more tokens, in the 0.00001 tier.
    let late = [
        event(b.tenant, "seats.reported", nov(26, 8), json!({"seats": 40})),
        event(b.tenant, "ai.usage_recorded", nov(28, 8), json!({"totalTokens": 100_000})),
    ];
    ingest::from_bus(db, &late).await.expect("late");
    ingest::from_bus(db, &late).await.expect("redelivered");
    let jan1 = dec1 + Duration::days(31);
    let dec_invoice = close(&b, jan1).await[0].clone();
    // December: the fee, 5 tokens (free tier), no visits, no seats; then
    // November's late usage: seats 40 − 7 = 33 more, 100.00 − 17.50 = 82.50;
    // tokens 21.34567 → 21.35 less the 20.35 charged = 1.00.
    let lines = amounts(&dec_invoice);
    let late_lines: Vec<_> = lines.iter().filter(|(k, _, _)| k == "LATE_USAGE").cloned().collect();
    let mut expected = vec![
        ("LATE_USAGE".to_owned(), "100000".to_owned(), "1.00".to_owned()),
        ("LATE_USAGE".to_owned(), "33".to_owned(), "82.50".to_owned()),
    ];
    let mut got = late_lines.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{lines:?}");
    assert_eq!(dec_invoice["total"], "133.49", "49.99 + 82.50 + 1.00: {lines:?}");
    let described =
        dec_invoice["lines"].as_array().expect("lines").iter().find(|l| l["kind"] == "LATE_USAGE");
    let text = described.and_then(|l| l["description"].as_str()).unwrap_or_default();
    assert!(text.contains("2026-11-01") && text.contains("2026-12-01"), "names the period: {text}");

    // More November usage after December's invoice is final: charged on
    // January's against both invoices' charges (41 seats: 2.50 more), and
    // nothing charged twice.
    let later = [event(b.tenant, "seats.reported", nov(27, 8), json!({"seats": 41}))];
    ingest::from_bus(db, &later).await.expect("later");
    let feb1 = jan1 + Duration::days(31);
    let jan_invoice = close(&b, feb1).await[0].clone();
    let late_lines: Vec<_> =
        amounts(&jan_invoice).into_iter().filter(|(k, _, _)| k == "LATE_USAGE").collect();
    assert_eq!(late_lines, [("LATE_USAGE".to_owned(), "1".to_owned(), "2.50".to_owned())]);
    assert_eq!(jan_invoice["total"], "52.49");

    // Nothing late: the next invoice has no such line.
    let mar1 = feb1 + Duration::days(28);
    let feb_invoice = close(&b, mar1).await[0].clone();
    assert!(amounts(&feb_invoice).iter().all(|(k, _, _)| k != "LATE_USAGE"), "{feb_invoice}");
    assert_eq!(feb_invoice["total"], "49.99");
}
