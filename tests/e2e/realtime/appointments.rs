//! Appointments end to end through the router: live updates carrying the
//! clinician's name from the tenants subgraph and nothing for another
//! tenant, today's figures in the live metrics, and reminders delivered
//! to the patient's inbox through the notifications subgraph (none for a
//! cancelled appointment).

use std::time::Duration;

use backbone::{dev::DevOptions, seed, wsclient::WsClient};
use chrono::Utc;
use serde_json::{Value, json};
use subgraph_kit::config::Config;
use subgraph_scheduling::config::SchedulingConfig;

use super::scene::{Scene, WITHIN, eventually, fast, token_for};

pub(crate) fn quick_sweeps(config: &mut Config) {
    fast(config);
    let sweep = |s: &mut SchedulingConfig| s.sweep_interval_ms = 100;
    config.sections.update(subgraph_scheduling::NAME, sweep).expect("scheduling table");
}

/// A clinician (the seeded one, two seats, open all day every day in UTC)
/// and a 15-minute service needing them; returns the service id.
pub(crate) async fn clinic(scene: &Scene, reminders: &[i32]) -> String {
    let hours: Vec<Value> = (1..=7).map(|d| json!({"day": d, "start": "00:00", "end": "24:00"})).collect();
    let resource = json!({"kind": "PERSON", "category": "clinician", "name": "Dr. Rao", "capacity": 2,
        "userId": scene.user("clinician"), "timeZone": "UTC", "weeklyHours": hours});
    let q = "mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }";
    scene.ok(Some("tenant_admin"), q, json!({"i": resource})).await;
    let service = json!({"name": "Check-up", "durationMinutes": 15, "minNoticeMinutes": 0, "cancelNoticeMinutes": 0,
        "bookingWindowDays": 30, "reminderOffsetsMinutes": reminders,
        "requirements": [{"kind": "PERSON", "category": "clinician"}]});
    let q = "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }";
    let s = scene.ok(Some("tenant_admin"), q, json!({"i": service})).await;
    s["createService"]["id"].as_str().expect("service id").to_owned()
}

/// Books for the patient at `at` (as staff); returns the appointment id.
async fn book(scene: &Scene, service: &str, at: chrono::DateTime<Utc>) -> String {
    let q = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }";
    let input = json!({"serviceId": service, "startsAt": at, "timeZone": "Asia/Kolkata", "patientId": scene.user("patient")});
    let b = scene.ok(Some("staff"), q, json!({"i": input})).await;
    b["bookAppointment"]["id"].as_str().expect("appointment id").to_owned()
}

async fn cancel(scene: &Scene, id: &str) {
    let q = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"feeling better\") { status } }";
    let c = scene.ok(Some("patient"), q, json!({"id": id})).await;
    assert_eq!(c["cancelAppointment"]["status"], "CANCELLED");
}

#[tokio::test]
async fn appointment_updates_reach_the_clinic_with_the_clinicians_name_and_no_other_tenant() {
    let scene = Scene::start_with(quick_sweeps, DevOptions::default()).await;
    let service = clinic(&scene, &[]).await;
    let (tenant_b, users_b) =
        seed::seed_tenant(&scene.graph.kit, "Other Clinic", "other").await.expect("seed B");
    let admin_b = users_b.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
    let token_b = token_for(&scene.graph, tenant_b, admin_b, "tenant_admin");
    let watch =
        "subscription { appointmentUpdated { from appointment { id status clinician { id displayName } } } }";
    let mut staff = scene.ws(Some("staff"), "graphql-transport-ws").await;
    staff.subscribe("a", watch, json!({})).await.expect("subscribe");
    let payload = json!({"Authorization": format!("Bearer {token_b}")});
    let mut other =
        WsClient::connect(&scene.ws_url(), "graphql-transport-ws", payload).await.expect("connect B");
    other.subscribe("b", watch, json!({})).await.expect("subscribe B");
    eventually(WITHIN, "two open feeds", || async { scene.graph.realtime.feeds.open() == 2 }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let id = book(&scene, &service, Utc::now() + chrono::Duration::days(1)).await;
    let m = staff.next(WITHIN).await.expect("booked pushed");
    let change = &m["payload"]["data"]["appointmentUpdated"];
    assert_eq!(change["appointment"]["status"], "SCHEDULED", "{m}");
    assert_eq!(change["appointment"]["id"], id);
    // The name comes from the tenants subgraph, through the plan.
    assert_eq!(change["appointment"]["clinician"]["id"], scene.user("clinician").to_string());
    assert_eq!(change["appointment"]["clinician"]["displayName"], "Demo clinician", "{m}");

    cancel(&scene, &id).await;
    let m = staff.next(WITHIN).await.expect("cancellation pushed");
    assert_eq!(m["payload"]["data"]["appointmentUpdated"]["from"], "SCHEDULED", "{m}");
    assert_eq!(m["payload"]["data"]["appointmentUpdated"]["appointment"]["status"], "CANCELLED");
    assert!(other.next(Duration::from_secs(1)).await.is_err(), "another tenant sees nothing");
}

#[tokio::test]
async fn todays_appointments_and_no_shows_join_the_live_metrics() {
    let scene = Scene::start_with(quick_sweeps, DevOptions::default()).await;
    let service = clinic(&scene, &[]).await;
    let soon = Utc::now() + chrono::Duration::seconds(2);
    let missed = book(&scene, &service, soon).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let q = "mutation($id: ID!) { recordAppointmentStep(id: $id, step: NO_SHOW) { status } }";
    let r = scene.ok(Some("staff"), q, json!({"id": missed})).await;
    assert_eq!(r["recordAppointmentStep"]["status"], "NO_SHOW");
    let later = book(&scene, &service, Utc::now() + chrono::Duration::seconds(30)).await;
    cancel(&scene, &later).await;
    let last = Utc::now() + chrono::Duration::seconds(40);
    book(&scene, &service, last).await;

    let mut ws = scene.ws(Some("tenant_admin"), "graphql-transport-ws").await;
    let q = "subscription { liveMetrics(intervalSeconds: 1) { openComplaints activeUsers appointmentsToday noShowsToday
        inKolkata: appointmentsToday(timeZone: \"Asia/Kolkata\") } }";
    ws.subscribe("m", q, json!({})).await.expect("subscribe");
    let first = ws.next(WITHIN).await.expect("first tick");
    let m = &first["payload"]["data"]["liveMetrics"];
    // The missed one and the last one; the cancelled one does not count
    // (unless the minute crossed midnight UTC).
    if soon.date_naive() == last.date_naive() && last.date_naive() == Utc::now().date_naive() {
        assert_eq!(m["appointmentsToday"], 2, "{first}");
        assert_eq!(m["noShowsToday"], 1, "{first}");
    }
    assert_eq!(m["activeUsers"], 6, "the tenants subgraph's field beside it");
    assert!(m["inKolkata"].is_i64(), "{first}");
    let bad =
        "subscription { liveMetrics(intervalSeconds: 1) { appointmentsToday(timeZone: \"Mars/Olympus\") } }";
    ws.subscribe("bad", bad, json!({})).await.expect("subscribe");
    let e = ws.next(WITHIN).await.expect("answer");
    assert!(e.to_string().contains("BAD_USER_INPUT"), "{e}");
}

#[tokio::test]
async fn a_reminder_reaches_the_patients_inbox_and_none_follows_a_cancellation() {
    let scene = Scene::start_with(quick_sweeps, DevOptions::default()).await;
    let service = clinic(&scene, &[1]).await;
    // Due a minute before a start 62 s away: in about 2 s.
    let at = Utc::now() + chrono::Duration::seconds(62);
    book(&scene, &service, at).await;
    let dropped = book(&scene, &service, at).await;
    cancel(&scene, &dropped).await;

    let reminders = || async {
        let q = "{ notifications(first: 20) { edges { node { title body } } } }";
        let n = scene.ok(Some("patient"), q, json!({})).await;
        n["notifications"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["node"]["title"].as_str().is_some_and(|t| t.starts_with("Reminder")))
            .map(|e| e["node"].clone())
            .collect::<Vec<_>>()
    };
    eventually(Duration::from_secs(15), "a reminder in the inbox", || async {
        !reminders().await.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = reminders().await;
    assert_eq!(got.len(), 1, "one reminder, none for the cancelled one: {got:?}");
    assert!(got[0]["title"].as_str().expect("title").starts_with("Reminder: Check-up on "), "{got:?}");
    assert!(got[0]["body"].as_str().expect("body").contains("(Asia/Kolkata)"), "{got:?}");
}

#[tokio::test]
async fn a_waitlist_offer_reaches_the_patients_inbox() {
    let scene = Scene::start_with(quick_sweeps, DevOptions::default()).await;
    let service = clinic(&scene, &[]).await;
    let at = Utc::now() + chrono::Duration::days(2);
    let q = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }";
    for _ in 0..2 {
        let input = json!({"serviceId": service, "startsAt": at, "timeZone": "UTC", "patientId": scene.user("auditor")});
        scene.ok(Some("staff"), q, json!({"i": input})).await;
    }
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { status } }";
    let wait = json!({"serviceId": service, "from": at - chrono::Duration::hours(1), "to": at + chrono::Duration::hours(1), "timeZone": "Europe/Paris"});
    scene.ok(Some("patient"), q, json!({"i": wait})).await;
    let list = "{ appointments(first: 5) { edges { node { id } } } }";
    let booked = scene.ok(Some("staff"), list, json!({})).await;
    let id = booked["appointments"]["edges"][0]["node"]["id"].as_str().expect("id").to_owned();
    let q = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"travelling\") { status } }";
    scene.ok(Some("staff"), q, json!({"id": id})).await;

    let offers = || async {
        let q = "{ notifications(first: 20) { edges { node { title } } } waitlist { edges { node { status offer { status } } } } }";
        scene.ok(Some("patient"), q, json!({})).await
    };
    eventually(Duration::from_secs(10), "an offer in the inbox", || async {
        offers().await["notifications"]["edges"].as_array().is_some_and(|e| {
            e.iter().any(|n| n["node"]["title"].as_str().is_some_and(|t| t.contains("slot opened")))
        })
    })
    .await;
    let seen = offers().await;
    assert_eq!(seen["waitlist"]["edges"][0]["node"]["status"], "OFFERED", "{seen}");
    assert_eq!(seen["waitlist"]["edges"][0]["node"]["offer"]["status"], "HELD");
}
