//! SLA clocks over business hours, pausing, the engine's breaches and the
//! escalation ladder, and an engine restarted after downtime.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use subgraph_complaints::config::ComplaintsConfig;
use subgraph_complaints::domain::{
    calendar::{Calendar, Window, business_between},
    engine,
};
use subgraph_kit::testkit::data;

use super::support::{Desk, complaint};

const POLICY: &str = "mutation($i: SlaPolicyInput!) { setSlaPolicy(input: $i) { id } }";
const SHOW: &str = "query($id: ID!) { complaint(id: $id) { status firstResponseDueAt resolutionDueAt slaPaused firstResponseBreached resolutionBreached escalationLevel assignee { id } timeline { nodes { kind } } } }";

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("timestamp").parse().expect("rfc3339")
}

fn lisbon_office() -> Calendar {
    let windows: Vec<Window> =
        (1..=5).map(|day| Window { day, start: "09:00".into(), end: "17:00".into() }).collect();
    Calendar::new("Europe/Lisbon", &windows, &[]).expect("calendar")
}

async fn show(desk: &Desk, id: &str) -> Value {
    desk.ok(Some("staff"), SHOW, json!({"id": id})).await["complaint"].clone()
}

#[tokio::test]
async fn clocks_count_business_hours_and_pause_on_hold() {
    let desk = Desk::start().await;
    let calendar = desk
        .ok(
            Some("tenant_admin"),
            "mutation { createSlaCalendar(name: \"Office\", timeZone: \"Europe/Lisbon\", weeklyHours: [{day: 1, start: \"09:00\", end: \"17:00\"}, {day: 2, start: \"09:00\", end: \"17:00\"}, {day: 3, start: \"09:00\", end: \"17:00\"}, {day: 4, start: \"09:00\", end: \"17:00\"}, {day: 5, start: \"09:00\", end: \"17:00\"}]) }",
            json!({}),
        )
        .await["createSlaCalendar"]
        .clone();
    desk.ok(
        Some("tenant_admin"),
        POLICY,
        json!({"i": {"priority": "HIGH", "firstResponseSeconds": 7200, "resolutionSeconds": 28800, "calendarId": calendar}}),
    )
    .await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "HIGH")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let c = show(&desk, &id).await;
    let office = lisbon_office();
    let now = Utc::now();
    let first = at(&c["firstResponseDueAt"]);
    let resolution = at(&c["resolutionDueAt"]);
    // Two business hours from filing, eight to resolution, whatever the
    // day and hour the test runs.
    assert!((business_between(Some(&office), now, first) - 7200).abs() <= 5, "{first}");
    assert!((business_between(Some(&office), now, resolution) - 28800).abs() <= 5, "{resolution}");

    let go = |s: &'static str| {
        let desk = &desk;
        let id = id.clone();
        async move {
            desk.ok(Some("staff"), "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }", json!({"id": id, "s": s})).await
        }
    };
    go("ACKNOWLEDGED").await;
    let acknowledged = show(&desk, &id).await;
    assert_eq!(acknowledged["firstResponseDueAt"], Value::Null, "the first response stops that clock");
    go("IN_PROGRESS").await;
    go("ON_HOLD").await;
    let held = show(&desk, &id).await;
    assert_eq!((held["slaPaused"].clone(), held["resolutionDueAt"].clone()), (json!(true), Value::Null));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    go("IN_PROGRESS").await;
    let resumed = show(&desk, &id).await;
    assert_eq!(resumed["slaPaused"], false);
    let due = at(&resumed["resolutionDueAt"]);
    let left = business_between(Some(&office), Utc::now(), due);
    let before = business_between(Some(&office), Utc::now(), resolution);
    // Paused time is not counted: the deadline moved by the pause (when
    // the pause fell in business hours) and never came closer.
    assert!(left >= before - 2 && (left - 28800).abs() <= 10, "left {left}s, before {before}s");
}

#[tokio::test]
async fn breaches_fire_once_and_the_ladder_climbs_to_three() {
    let desk = Desk::start().await;
    let front = desk.team("Front", &["staff"]).await;
    let level1 = desk.team("Supervisors", &["clinician"]).await;
    let level2 = desk.team("Managers", &["tenant_admin"]).await;
    desk.ok(
        Some("tenant_admin"),
        "mutation($t: ID!) { addRoutingRule(teamId: $t) { id } }",
        json!({"t": front}),
    )
    .await;
    desk.ok(
        Some("tenant_admin"),
        POLICY,
        json!({"i": {"priority": "URGENT", "firstResponseSeconds": 600, "resolutionSeconds": 3600, "escalationSeconds": 900, "ladder": [level1, level2]}}),
    )
    .await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "URGENT")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let due = at(&show(&desk, &id).await["firstResponseDueAt"]);
    let db = &desk.app.kit.db;

    assert_eq!(engine::tick(db, due - chrono::Duration::seconds(1)).await.expect("tick"), 0, "not yet due");
    // The breach and escalation to level 1 fire in one pass.
    assert_eq!(engine::tick(db, due + chrono::Duration::seconds(1)).await.expect("tick"), 2);
    assert_eq!(
        engine::tick(db, due + chrono::Duration::seconds(2)).await.expect("tick"),
        0,
        "nothing fires twice"
    );
    let c = show(&desk, &id).await;
    assert_eq!((c["firstResponseBreached"].clone(), c["escalationLevel"].clone()), (json!(true), json!(1)));
    assert_eq!(c["assignee"]["id"], desk.user("clinician").to_string());

    let later = |s: i64| due + chrono::Duration::seconds(s);
    assert_eq!(engine::tick(db, later(901)).await.expect("tick"), 1);
    let c = show(&desk, &id).await;
    assert_eq!(c["escalationLevel"], 2);
    assert_eq!(c["assignee"]["id"], desk.user("tenant_admin").to_string());
    // Level 3 has no team on the ladder: the level rises, the assignee stays.
    assert_eq!(engine::tick(db, later(1802)).await.expect("tick"), 1);
    assert_eq!(engine::tick(db, later(5000)).await.expect("tick"), 1, "the resolution target breaches");
    assert_eq!(engine::tick(db, later(99_999)).await.expect("tick"), 0, "the ladder ends at 3");
    let c = show(&desk, &id).await;
    assert_eq!((c["escalationLevel"].clone(), c["resolutionBreached"].clone()), (json!(3), json!(true)));
    let kinds: Vec<&str> =
        c["timeline"]["nodes"].as_array().expect("t").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "SLA_BREACH").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "ESCALATION").count(), 3);
}

#[tokio::test]
async fn an_engine_restarted_after_downtime_fires_what_came_due_once() {
    let desk = Desk::start().await;
    desk.ok(
        Some("tenant_admin"),
        POLICY,
        json!({"i": {"priority": "URGENT", "firstResponseSeconds": 1, "resolutionSeconds": 3600}}),
    )
    .await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "URGENT")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    // No engine runs while the target passes.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(show(&desk, &id).await["firstResponseBreached"], false);

    let mut kit = desk.app.kit.clone();
    let mut config = (*kit.config).clone();
    config.sections.set(subgraph_complaints::NAME, ComplaintsConfig { sla_tick_ms: 50 });
    kit.config = std::sync::Arc::new(config);
    for _ in 0..2 {
        let engine = tokio::spawn(subgraph_complaints::run_sla_engine(kit.clone(), std::future::pending()));
        tokio::time::sleep(Duration::from_millis(400)).await;
        engine.abort();
    }
    let c = show(&desk, &id).await;
    assert_eq!(c["firstResponseBreached"], true);
    let breaches =
        c["timeline"]["nodes"].as_array().expect("t").iter().filter(|e| e["kind"] == "SLA_BREACH").count();
    assert_eq!(breaches, 1, "two engine runs, one breach");
}
