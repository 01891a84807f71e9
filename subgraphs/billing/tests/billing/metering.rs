//! Metering over a real server: the platform's events on the bus are
//! counted by every metric that matches them (count with a filter, sum,
//! max, unique count, latest), once per event however often they are
//! delivered, in the month they happened in however late they arrive;
//! products report their own usage through `recordUsage`, each id once;
//! and one tenant never sees another's usage.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use backbone_entities::platform::dead_event;
use backbone_schema::EventEnvelope;
use chrono::{DateTime, TimeZone, Utc};
use futures::FutureExt;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use subgraph_billing::domain::ingest;
use subgraph_kit::{
    subgraph::{AnySubgraph, Shutdown},
    testkit::{data, error_codes},
};
use uuid::Uuid;

use crate::fixture::Billed;

struct Metered(Billed);

impl std::ops::Deref for Metered {
    type Target = Billed;
    fn deref(&self) -> &Billed {
        &self.0
    }
}

impl Metered {
    async fn start() -> Self {
        Self(Billed::start().await)
    }

    /// The tenant of `token`'s usage of `metric` in the month starting at `month`.
    async fn used(&self, token: &str, metric: &str, month: DateTime<Utc>) -> String {
        let to = month.checked_add_months(chrono::Months::new(1)).expect("month");
        let q = "query($m: String!, $f: DateTime!, $t: DateTime!) { meteredUsage(metricCode: $m, from: $f, to: $t) { quantity } }";
        let answer = data(self.gql(token, q, json!({"m": metric, "f": month, "t": to})).await);
        answer["meteredUsage"]["quantity"].as_str().expect("quantity").to_owned()
    }

    /// Starts the subgraph's workers (the metering consumer).
    fn run_workers(&self) {
        let never: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(std::future::pending());
        let shutdown: Shutdown = never.shared();
        let _ = AnySubgraph::workers(&subgraph_billing::Billing, &self.app.kit, shutdown);
    }
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().expect("date")
}

fn event(tenant: Uuid, kind: &str, occurred_at: DateTime<Utc>, payload: Value) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        event_type: kind.into(),
        tenant_id: tenant,
        occurred_at,
        actor: None,
        payload,
    }
}

async fn eventually(mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "metering did not catch up in 10 s");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn platform_events_are_metered_once_each_and_a_late_event_counts_in_the_month_it_happened() {
    let m = Metered::start().await;
    m.metric("ai_tokens", "SUM", "ai.usage_recorded", Some("totalTokens"), json!([])).await;
    m.metric("ai_users", "UNIQUE_COUNT", "ai.usage_recorded", Some("userId"), json!([])).await;
    m.metric(
        "visits_done",
        "COUNT",
        "appointment.updated",
        None,
        json!([{"field": "to", "value": "completed"}]),
    )
    .await;
    m.metric("peak_seats", "MAX", "seats.reported", Some("seats"), json!([])).await;
    m.metric("seats_now", "LATEST", "seats.reported", Some("seats"), json!([])).await;
    m.run_workers();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let (t, u1, u2) = (m.tenant, Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let ai = |day, tokens: i64, user: &str| {
        event(t, "ai.usage_recorded", at(day, 9), json!({"totalTokens": tokens, "userId": user}))
    };
    let visit =
        |day, to: &str| event(t, "appointment.updated", at(day, 10), json!({"from": "scheduled", "to": to}));
    let seats = |day, n: &str| event(t, "seats.reported", at(day, 8), json!({"seats": n}));
    let october = event(
        t,
        "ai.usage_recorded",
        at(1, 0) - chrono::Duration::hours(30),
        json!({"totalTokens": 7, "userId": "u3"}),
    );
    let no_tokens = event(t, "ai.usage_recorded", at(20, 9), json!({"userId": u2}));
    let batch = vec![
        ai(2, 100, &u1),
        ai(3, 250, &u2),
        ai(4, 1000, &u1),
        visit(5, "completed"),
        visit(6, "cancelled"),
        visit(7, "completed"),
        seats(10, "4"),
        seats(2, "5"),
        seats(3, "9.5"),
        event(m.other_tenant, "ai.usage_recorded", at(2, 9), json!({"totalTokens": 999, "userId": u1})),
        no_tokens.clone(),
        october.clone(),
    ];
    for e in &batch {
        m.app.kit.bus.publish(e).await.expect("publish");
    }
    let november = at(1, 0);
    eventually(async || m.used(&m.admin, "ai_tokens", november).await == "1350").await;
    // A redelivery of everything (the bus is at-least-once) counts nothing twice.
    let again: Vec<Arc<EventEnvelope>> = batch.iter().cloned().map(Arc::new).collect();
    ingest::from_bus(&m.app.kit.db, &again).await.expect("redelivered");

    assert_eq!(m.used(&m.admin, "ai_tokens", november).await, "1350");
    assert_eq!(
        m.used(&m.admin, "ai_users", november).await,
        "2",
        "u1, u2 (the event without tokens still names u2)"
    );
    assert_eq!(m.used(&m.admin, "visits_done", november).await, "2", "only completed visits");
    assert_eq!(m.used(&m.admin, "peak_seats", november).await, "9.5");
    assert_eq!(
        m.used(&m.admin, "seats_now", november).await,
        "4",
        "the last by when it happened, not by arrival"
    );
    let oct = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("october");
    assert_eq!(m.used(&m.admin, "ai_tokens", oct).await, "7", "the late event counts in October");
    assert_eq!(m.used(&m.auditor, "ai_users", oct).await, "1");
    assert_eq!(m.used(&m.other_admin, "ai_tokens", november).await, "999", "each tenant its own usage");

    // The event that names no tokens is parked with why, once (by the
    // worker, after the batch's readings are stored).
    let db = &m.app.kit.db;
    eventually(async || !dead_event::Entity::find().all(db).await.expect("dead events").is_empty()).await;
    let parked = dead_event::Entity::find().all(db).await.expect("dead events");
    assert_eq!(parked.iter().map(|p| p.event_id).collect::<Vec<_>>(), [no_tokens.id]);
    assert!(
        parked[0].error.contains("ai_tokens") && parked[0].error.contains("totalTokens"),
        "{}",
        parked[0].error
    );
    // The usage table keeps a pseudonym for a unique count, never the id.
    let rows = backbone_entities::billing::usage::Entity::find().all(&m.app.kit.db).await.expect("usage");
    assert!(rows.iter().all(|r| r.distinct_key.as_deref() != Some(u1.as_str())));
}

#[tokio::test]
async fn products_report_usage_through_the_api_and_each_id_counts_once() {
    let m = Metered::start().await;
    m.metric("report_pages", "SUM", "report.generated", Some("pages"), json!([])).await;
    m.metric("reports", "COUNT", "report.generated", None, json!([])).await;
    let record = "mutation($e: [UsageEventInput!]!) { recordUsage(events: $e) { id status metrics reason } }";
    let ev = |id: &str, kind: &str, pages: Value| json!({"id": id, "type": kind, "occurredAt": at(12, 9), "payload": {"pages": pages}});
    let first = data(
        m.gql(
            &m.admin,
            record,
            json!({"e": [
                ev("r-1", "report.generated", json!(3)),
                ev("r-2", "report.generated", json!("2.5")),
                ev("r-1", "report.generated", json!(3)),
                ev("r-3", "unknown.kind", json!(1)),
                ev("r-4", "report.generated", json!(-1)),
                {"id": "r-5", "type": "report.generated", "occurredAt": Utc::now() + chrono::Duration::hours(1), "payload": {"pages": 1}},
            ]}),
        )
        .await,
    );
    let statuses: Vec<(&str, &str, i64)> = first["recordUsage"]
        .as_array()
        .expect("receipts")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id"),
                r["status"].as_str().expect("status"),
                r["metrics"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("r-1", "RECORDED", 2),
            ("r-2", "RECORDED", 2),
            ("r-1", "DUPLICATE", 0),
            ("r-3", "UNMATCHED", 0),
            ("r-4", "REJECTED", 0),
            ("r-5", "REJECTED", 0)
        ]
    );
    let reasons: Vec<&str> = first["recordUsage"].as_array().expect("receipts")[4..]
        .iter()
        .map(|r| r["reason"].as_str().expect("reason"))
        .collect();
    assert!(reasons[0].contains("negative") && reasons[1].contains("future"), "{reasons:?}");

    let again =
        data(m.gql(&m.admin, record, json!({"e": [ev("r-2", "report.generated", json!(100))]})).await);
    assert_eq!(again["recordUsage"][0]["status"], "DUPLICATE", "a retried call records nothing new");
    let november = at(1, 0);
    assert_eq!(m.used(&m.admin, "report_pages", november).await, "5.5");
    assert_eq!(m.used(&m.admin, "reports", november).await, "2");

    // Ids are the tenant's own: another tenant's r-1 is a new event for it.
    let theirs =
        data(m.gql(&m.other_admin, record, json!({"e": [ev("r-1", "report.generated", json!(1))]})).await);
    assert_eq!(theirs["recordUsage"][0]["status"], "RECORDED");
    assert_eq!(m.used(&m.other_admin, "report_pages", november).await, "1");
    assert_eq!(m.used(&m.admin, "report_pages", november).await, "5.5");

    let denied = m.gql(&m.auditor, record, json!({"e": [ev("r-9", "report.generated", json!(1))]})).await;
    assert_eq!(error_codes(&denied), ["FORBIDDEN"], "an auditor reads billing but reports no usage");
    let too_many: Vec<Value> =
        (0..1001).map(|i| ev(&format!("b-{i}"), "report.generated", json!(1))).collect();
    let refused = m.gql(&m.admin, record, json!({"e": too_many})).await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"]);
    let q = "query($f: DateTime!, $t: DateTime!) { meteredUsage(metricCode: \"reports\", from: $f, to: $t) { quantity } }";
    let backwards = m.gql(&m.admin, q, json!({"f": at(10, 0), "t": at(9, 0)})).await;
    assert_eq!(error_codes(&backwards), ["BAD_USER_INPUT"]);
    let unknown = m.used_err("no_such_metric").await;
    assert_eq!(error_codes(&unknown), ["NOT_FOUND"]);
}

impl Metered {
    async fn used_err(&self, metric: &str) -> Value {
        let q = "query($m: String!, $f: DateTime!, $t: DateTime!) { meteredUsage(metricCode: $m, from: $f, to: $t) { quantity } }";
        self.gql(&self.admin, q, json!({"m": metric, "f": at(1, 0), "t": at(20, 0)})).await
    }
}
