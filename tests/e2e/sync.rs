//! Offline sync through the whole graph: a health worker's device uploads
//! a batch over REST (`POST /v1/sync/events:batch`); the complaint it
//! recorded offline reaches the complaints subgraph over the bus and is
//! filed once, however often the device sends the batch and however often
//! the relay dies mid-publish; readings a device uploads become billing's
//! metered usage once, and another worker's device pulls them over REST
//! (`GET /v1/sync/changes`).

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    realtime::scene::{Scene, eventually},
    rest::call,
};

const COMPLAINTS: &str = "{ complaints(first: 50) { nodes { id subject priority reporter { id } } } }";

async fn filed_from_the_camp(scene: &Scene) -> Vec<Value> {
    let list = scene.ok(Some("staff"), COMPLAINTS, json!({})).await;
    let nodes = list["complaints"]["nodes"].as_array().cloned().unwrap_or_default();
    nodes.into_iter().filter(|n| n["subject"] == "Charged twice at the camp").collect()
}

/// Registers `complaint.filed` and enrolls a clinician's tablet; its id.
async fn camp_tablet(scene: &Scene) -> String {
    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let schema = json!({
        "type": "object", "required": ["category", "subject", "description"],
        "properties": {
            "category": {"type": "string"}, "subject": {"type": "string", "maxLength": 200},
            "description": {"type": "string"}, "priority": {"enum": ["low", "normal", "high", "urgent"]}
        }
    });
    let input = json!({"type": "complaint.filed", "schemaVersion": 1, "stream": "APPEND", "schema": schema});
    scene.ok(Some("tenant_admin"), register, json!({"i": input})).await;
    let enrolled = scene
        .ok(Some("clinician"), "mutation { enrollSyncDevice(name: \"Camp tablet\") { id } }", json!({}))
        .await;
    enrolled["enrollSyncDevice"]["id"].as_str().expect("device").to_owned()
}

#[tokio::test]
async fn a_complaint_recorded_offline_is_filed_once_through_the_graph() {
    let scene = Scene::start().await;
    let device = camp_tablet(&scene).await;

    let complaint = json!({"category": "billing", "priority": "high", "subject": "Charged twice at the camp",
        "description": "Paid cash and was billed again."});
    let batch = json!({"sentAt": chrono::Utc::now().to_rfc3339(), "events": [
        {"clientEventId": "c-1", "deviceId": device, "type": "complaint.filed", "schemaVersion": 1,
         "clientTime": chrono::Utc::now().to_rfc3339(), "payload": complaint},
        {"clientEventId": "c-2", "deviceId": device, "type": "complaint.filed", "schemaVersion": 1,
         "clientTime": chrono::Utc::now().to_rfc3339(), "payload": {"subject": "no category"}},
    ]});
    let (status, first) =
        call(&scene, Method::POST, "/v1/sync/events:batch", Some("clinician"), Some(batch.clone())).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!((&first["accepted"], &first["rejected"]), (&json!(1), &json!(1)), "{first}");
    assert_eq!(first["acks"][0]["status"], "ACCEPTED", "{first}");
    assert_eq!(first["acks"][1]["reason"], "SCHEMA_INVALID", "{first}");

    eventually(Duration::from_secs(10), "the complaint filed from the device", || async {
        filed_from_the_camp(&scene).await.len() == 1
    })
    .await;
    let filed = filed_from_the_camp(&scene).await;
    assert_eq!(
        (&filed[0]["reporter"]["id"], &filed[0]["priority"]),
        (&json!(scene.user("clinician")), &json!("HIGH")),
        "{filed:?}"
    );

    // The device did not hear the answer and sends the batch again.
    let (status, again) =
        call(&scene, Method::POST, "/v1/sync/events:batch", Some("clinician"), Some(batch)).await;
    assert_eq!((status, &again["acks"][0]["status"]), (200, &json!("DUPLICATE")), "{again}");
    assert_eq!(again["acks"][0]["eventId"], first["acks"][0]["eventId"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(filed_from_the_camp(&scene).await.len(), 1, "filed once");

    // Without credentials the route is refused, coded.
    let (status, refused) =
        call(&scene, Method::POST, "/v1/sync/events:batch", None, Some(json!({"events": []}))).await;
    assert_eq!(status, 401, "{refused}");
}

#[tokio::test]
async fn readings_a_device_uploads_are_metered_once_and_pulled_by_another_workers_device_over_rest() {
    use subgraph_sync::config::SyncConfig;
    let adjust = |c: &mut subgraph_kit::config::Config| {
        crate::realtime::scene::fast(c);
        c.sections.update(subgraph_sync::NAME, |s: &mut SyncConfig| s.changes_settle_ms = 0).expect("[sync]");
    };
    let scene = Scene::start_with(adjust, Default::default()).await;
    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let schema = json!({"type": "object", "required": ["patientId", "pulse"],
        "properties": {"patientId": {"type": "string"}, "pulse": {"type": "integer"}}});
    let input = json!({"type": "vitals.recorded", "schemaVersion": 1, "stream": "APPEND",
        "subjectKey": "/patientId", "schema": schema});
    scene.ok(Some("tenant_admin"), register, json!({"i": input})).await;
    let patient = scene.user("patient");
    let assign = "mutation($w: ID!, $s: ID!) { assignSyncSubject(workerId: $w, subjectId: $s) }";
    for worker in ["clinician", "staff"] {
        scene.ok(Some("tenant_admin"), assign, json!({"w": scene.user(worker), "s": patient})).await;
    }
    let enroll = "mutation { enrollSyncDevice(name: \"Ward tablet\") { id } }";
    let device = |data: Value| data["enrollSyncDevice"]["id"].as_str().expect("device").to_owned();
    let phone = device(scene.ok(Some("staff"), enroll, json!({})).await);
    let tablet = device(scene.ok(Some("clinician"), enroll, json!({})).await);

    // The operator bills readings and the people they are about.
    let operator = crate::privacy::support::platform_token(&scene);
    let q = "mutation($i: CreateBillableMetricInput!) { createBillableMetric(input: $i) { code } }";
    for metric in [
        json!({"code": "vitals_readings", "name": "Readings", "aggregation": "COUNT",
            "eventType": "sync.vitals.recorded"}),
        json!({"code": "patients_monitored", "name": "Patients", "aggregation": "UNIQUE_COUNT",
            "eventType": "sync.vitals.recorded", "field": "subjectId"}),
    ] {
        subgraph_kit::testkit::data(
            crate::privacy::support::as_token(&scene, &operator, q, json!({"i": metric})).await,
        );
    }

    let reading = |id: &str, pulse: i64| {
        json!({"clientEventId": id, "deviceId": phone, "type": "vitals.recorded",
        "schemaVersion": 1, "clientTime": chrono::Utc::now().to_rfc3339(),
        "payload": {"patientId": patient, "pulse": pulse}})
    };
    let batch = json!({"events": [reading("v-1", 72), reading("v-2", 74)]});
    let (status, sent) =
        call(&scene, Method::POST, "/v1/sync/events:batch", Some("staff"), Some(batch.clone())).await;
    assert_eq!((status, &sent["accepted"]), (200, &json!(2)), "{sent}");
    // Sent again (the phone did not hear the answer): billed once.
    let (status, again) =
        call(&scene, Method::POST, "/v1/sync/events:batch", Some("staff"), Some(batch)).await;
    assert_eq!((status, &again["duplicates"]), (200, &json!(2)), "{again}");

    // Each accepted reading becomes metered usage, over the bus.
    let usage = "query($m: String!, $from: DateTime!, $to: DateTime!) {
        meteredUsage(metricCode: $m, from: $from, to: $to) { quantity } }";
    let day = |hours: i64| (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339();
    let quantity = |metric: &'static str| {
        let scene = &scene;
        let vars = json!({"m": metric, "from": day(-1), "to": day(1)});
        async move { scene.ok(Some("tenant_admin"), usage, vars).await["meteredUsage"]["quantity"].clone() }
    };
    eventually(Duration::from_secs(10), "the readings metered", || async {
        quantity("vitals_readings").await == json!("2")
    })
    .await;
    assert_eq!(quantity("patients_monitored").await, json!("1"), "one patient");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(quantity("vitals_readings").await, json!("2"), "the duplicate batch metered nothing");

    let path = format!("/v1/sync/changes?deviceId={tablet}");
    let (status, changes) = call(&scene, Method::GET, &path, Some("clinician"), None).await;
    assert_eq!(status, 200, "{changes}");
    let pulled: Vec<&Value> = changes["events"].as_array().expect("events").iter().collect();
    assert_eq!(pulled.len(), 2, "{changes}");
    assert_eq!((&pulled[0]["clientEventId"], &pulled[0]["payload"]["pulse"]), (&json!("v-1"), &json!(72)));
    assert_eq!(changes["events"][0]["id"], sent["acks"][0]["eventId"]);
    let cursor = changes["cursor"].as_str().expect("cursor");
    let (status, after) =
        call(&scene, Method::GET, &format!("{path}&since={cursor}"), Some("clinician"), None).await;
    assert_eq!((status, &after["events"]), (200, &json!([])), "{after}");

    // The phone's owner may not pull as the tablet; a forged cursor is coded.
    let (status, refused) = call(&scene, Method::GET, &path, Some("staff"), None).await;
    assert_eq!((status, &refused["error"]["code"]), (404, &json!("NOT_FOUND")), "{refused}");
    let (status, forged) =
        call(&scene, Method::GET, &format!("{path}&since=1.2.3"), Some("clinician"), None).await;
    assert_eq!((status, &forged["error"]["reason"]), (400, &json!("INVALID_CURSOR")), "{forged}");
}

/// The outbox relay killed at random moments while devices upload, then
/// every published row put back as unpublished (a relay that died after
/// each publish): each event still files exactly one complaint.
#[tokio::test]
async fn complaints_from_devices_are_filed_exactly_once_when_the_relay_dies_mid_publish() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use backbone::dev::DevOptions;
    use backbone_entities::{complaints::complaint, platform::outbox};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};

    const BATCHES: usize = 8;
    const PER_BATCH: usize = 25;
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    let adjust = |c: &mut subgraph_kit::config::Config| {
        crate::realtime::scene::fast(c);
        c.redis_url = Some(crate::realtime::scene::redis_url());
        c.redis_stream = stream.clone();
    };
    let scene = Scene::start_with(adjust, DevOptions { relay: false }).await;
    let kit = scene.graph.kit.clone();
    let device = camp_tablet(&scene).await;

    let stop = Arc::new(AtomicBool::new(false));
    let chaos = crate::realtime::durability::relay_killed_until(&kit, &stop);
    let q = "mutation($b: SyncBatchInput!) { syncEvents(batch: $b) { accepted } }";
    for b in 0..BATCHES {
        let events: Vec<Value> = (0..PER_BATCH)
            .map(|i| json!({"clientEventId": format!("k-{b}-{i}"), "deviceId": device, "type": "complaint.filed",
                "schemaVersion": 1, "clientTime": chrono::Utc::now().to_rfc3339(),
                "payload": {"category": "billing", "subject": format!("Offline {b}-{i}"), "description": "At the camp"}}))
            .collect();
        let sent = scene.ok(Some("clinician"), q, json!({"b": {"events": events}})).await;
        assert_eq!(sent["syncEvents"]["accepted"], PER_BATCH, "{sent}");
        // Devices upload now and then: relays live and die meanwhile.
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let kills = chaos.await.expect("chaos");
    assert!(kills > 3, "the relay was killed {kills} times");

    let reset = outbox::Entity::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
        .filter(outbox::Column::PublishedAt.is_not_null())
        .filter(outbox::Column::EventType.eq("sync.complaint.filed"))
        .exec(&kit.db)
        .await
        .expect("reset outbox");
    assert!(reset.rows_affected > 0, "some rows were published before the reset");
    let relay = tokio::spawn(kit.relay().run(std::future::pending()));

    let expected = (BATCHES * PER_BATCH) as u64;
    let filed = || {
        let db = kit.db.clone();
        async move {
            complaint::Entity::find()
                .filter(complaint::Column::Subject.starts_with("Offline "))
                .count(&db)
                .await
                .expect("count")
        }
    };
    eventually(Duration::from_secs(30), "every event filed", || async {
        subgraph_kit::outbox::pending(&kit.db).await.expect("pending") == 0 && filed().await >= expected
    })
    .await;
    // Redelivered events have had time to (not) file again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(filed().await, expected);
    let subjects: std::collections::HashSet<String> = complaint::Entity::find()
        .filter(complaint::Column::Subject.starts_with("Offline "))
        .all(&kit.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|c| c.subject)
        .collect();
    assert_eq!(subjects.len() as u64, expected, "one complaint per event");
    relay.abort();
    let client = redis::Client::open(crate::realtime::scene::redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let _: () = redis::cmd("DEL").arg(&stream).query_async(&mut conn).await.expect("DEL");
}
