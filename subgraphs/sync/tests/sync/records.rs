//! Last-writer-wins records: two devices edit one profile; the latest
//! client time wins whatever the order of arrival, and every losing write
//! stays, marked superseded, with its loss in the audit trail.

use backbone_entities::{platform::audit_event, sync::event};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::support::{Field, acks, event as sync_event};

const RECORD: &str = "query($id: String!) { syncRecord(type: \"profile.updated\", id: $id) { eventId deviceId clientTime payload } }";

#[tokio::test]
async fn two_devices_editing_one_profile_resolve_by_client_time() {
    let f = Field::start().await;
    let patient = f.user("patient");
    let (clinician, staff) = (f.user("clinician"), f.user("staff"));
    f.assign(clinician, patient).await;
    f.assign(staff, patient).await;
    let (tablet, phone) = (f.device("clinician").await, f.device("staff").await);
    let profile = patient.to_string();
    let t0 = Utc::now() - Duration::hours(3);
    let edit = |device: &str, id: &str, minutes: i64, phone_number: &str| {
        sync_event(
            device,
            id,
            "profile.updated",
            t0 + Duration::minutes(minutes),
            json!({"profileId": profile, "phone": phone_number}),
        )
    };

    // The tablet edited later (t0+20) but uploads first; the phone's
    // older edit (t0+10) arrives second and loses.
    let newer = acks(&f.sync("clinician", vec![edit(&tablet, "p-1", 20, "+91 98765 00002")]).await);
    let older = acks(&f.sync("staff", vec![edit(&phone, "p-2", 10, "+91 98765 00001")]).await);
    assert_eq!(older["p-2"]["status"], "ACCEPTED", "a losing write is still accepted: {older:?}");
    let state = f.ok("tenant_admin", RECORD, json!({"id": profile})).await["syncRecord"].clone();
    assert_eq!(
        (state["payload"]["phone"].as_str(), &state["eventId"]),
        (Some("+91 98765 00002"), &newer["p-1"]["eventId"]),
        "{state}"
    );

    // Within one batch too, the latest client time wins.
    let batch = acks(
        &f.sync(
            "staff",
            vec![edit(&phone, "p-4", 40, "+91 98765 00004"), edit(&phone, "p-3", 30, "+91 98765 00003")],
        )
        .await,
    );
    let state = f.ok("tenant_admin", RECORD, json!({"id": profile})).await["syncRecord"].clone();
    assert_eq!(
        (state["payload"]["phone"].as_str(), &state["eventId"]),
        (Some("+91 98765 00004"), &batch["p-4"]["eventId"]),
        "{state}"
    );

    let superseded: Vec<String> = event::Entity::find()
        .filter(event::Column::Superseded.eq(true))
        .all(&f.app.kit.db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.client_event_id)
        .collect();
    let mut superseded = superseded;
    superseded.sort();
    assert_eq!(superseded, ["p-1", "p-2", "p-3"]);

    let losses = audit_event::Entity::find()
        .filter(audit_event::Column::EventType.eq("sync.record.write_lost"))
        .all(&f.app.kit.db)
        .await
        .expect("audit");
    let lost: std::collections::HashSet<&str> =
        losses.iter().filter(|a| a.resource_type == "sync_event").map(|a| a.resource_id.as_str()).collect();
    let expected: std::collections::HashSet<&str> =
        [&newer["p-1"], &older["p-2"], &batch["p-3"]].iter().filter_map(|a| a["eventId"].as_str()).collect();
    assert_eq!(lost, expected, "every losing write is in the audit trail: {losses:?}");

    // The patient reads their own record; a stranger's role does not.
    let own = f.ok("patient", RECORD, json!({"id": profile})).await;
    assert_eq!(own["syncRecord"]["payload"]["phone"], "+91 98765 00004");
    let other = f.ok("clinician", RECORD, json!({"id": profile})).await;
    assert_eq!(other["syncRecord"], json!(null));
}

#[tokio::test]
async fn a_record_with_a_long_key_loses_a_write_like_any_other() {
    let f = Field::start().await;
    let q = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let input = json!({"type": "note.updated", "schemaVersion": 1, "stream": "RECORD", "recordKey": "/noteId",
        "schema": {"type": "object", "required": ["noteId", "text"]}});
    f.ok("tenant_admin", q, json!({"i": input})).await;
    let device = f.device("clinician").await;
    let key = "n".repeat(120);
    let write = |id: &str, minutes: i64, text: &str| {
        sync_event(
            &device,
            id,
            "note.updated",
            Utc::now() - Duration::minutes(minutes),
            json!({"noteId": key, "text": text}),
        )
    };
    let newer = f.sync("clinician", vec![write("w-1", 1, "second")]).await;
    assert_eq!(newer["acks"][0]["status"], "ACCEPTED", "{newer}");
    // The older write arrives last and loses; its loss is audited.
    let older = f.sync("clinician", vec![write("w-2", 5, "first")]).await;
    assert_eq!(older["acks"][0]["status"], "ACCEPTED", "{older}");
    let losses = audit_event::Entity::find()
        .filter(audit_event::Column::EventType.eq("sync.record.write_lost"))
        .all(&f.app.kit.db)
        .await
        .expect("audit");
    assert_eq!(losses.len(), 1);
    assert_eq!(Some(losses[0].resource_id.as_str()), older["acks"][0]["eventId"].as_str());
    let q = "query($id: String!) { syncRecord(type: \"note.updated\", id: $id) { payload } }";
    let record = f.ok("tenant_admin", q, json!({"id": key})).await;
    assert_eq!(record["syncRecord"]["payload"]["text"], "second", "{record}");
}
