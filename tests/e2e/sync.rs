//! Offline sync through the whole graph: a health worker's device uploads
//! a batch over REST (`POST /v1/sync/events:batch`); the complaint it
//! recorded offline reaches the complaints subgraph over the bus and is
//! filed once, however often the device sends the batch.

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

#[tokio::test]
async fn a_complaint_recorded_offline_is_filed_once_through_the_graph() {
    let scene = Scene::start().await;
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
    let device = enrolled["enrollSyncDevice"]["id"].as_str().expect("device").to_owned();

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
