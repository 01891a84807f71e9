//! Pulling changes: a device gets what other devices recorded about the
//! people its user records for, each once, page by page from its cursor;
//! never its own events, never about anyone else, never another tenant's;
//! and a row younger than the settle time waits for the next pull.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Field, event, vitals};

const PULL: &str = "query($d: ID!, $since: String, $first: Int! = 500) {
    syncChanges(deviceId: $d, since: $since, first: $first) {
        cursor hasMore events { id clientEventId deviceId subjectId payload } records { id eventId payload } } }";

/// The client event ids of a pull's events, and its records' ids.
fn seen(changes: &Value) -> (Vec<&str>, Vec<&str>) {
    let ids = |list: &str, key: &str| -> Vec<&str> {
        changes[list].as_array().expect("list").iter().map(|e| e[key].as_str().expect("id")).collect()
    };
    (ids("events", "clientEventId"), ids("records", "id"))
}

async fn pull(f: &Field, role: &str, device: &str, since: Option<&str>, first: i32) -> Value {
    f.ok(role, PULL, json!({"d": device, "since": since, "first": first})).await["syncChanges"].clone()
}

#[tokio::test]
async fn a_device_pulls_what_others_recorded_for_its_people_once_page_by_page() {
    let f = Field::start_with(|c| c.changes_settle_ms = 0).await;
    let (patient, clinician, staff) = (f.user("patient"), f.user("clinician"), f.user("staff"));
    f.assign(clinician, patient).await;
    f.assign(staff, patient).await;
    let (tablet, phone) = (f.device("clinician").await, f.device("staff").await);
    // The staff phone records about the patient (two readings, a profile)
    // and about the staff member, whom the clinician does not record for.
    let profile = event(
        &phone,
        "s-3",
        "profile.updated",
        chrono::Utc::now(),
        json!({"profileId": patient.to_string(), "phone": "+91 98765 00001"}),
    );
    let sent = f
        .sync("staff", vec![vitals(&phone, "s-1", patient, 70), vitals(&phone, "s-2", patient, 71), profile])
        .await;
    assert_eq!(sent["accepted"], 3, "{sent}");
    f.sync("staff", vec![vitals(&phone, "s-own", staff, 80)]).await;
    // The tablet's own reading is not sent back to it.
    f.sync("clinician", vec![vitals(&tablet, "c-1", patient, 72)]).await;
    // Another tenant's reading about its own patient stays there.
    let (other, people) = f.other_tenant().await;
    let other_token = f.app.token(other, people["clinician"], &["clinician"]);
    let admin_token = f.app.token(other, people["tenant_admin"], &["tenant_admin"]);
    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let input = json!({"type": "vitals.recorded", "schemaVersion": 1, "stream": "APPEND",
        "subjectKey": "/patientId", "schema": {"type": "object"}});
    f.app.gql(Some(&admin_token), register, json!({"i": input})).await.expect("register");
    let q = "mutation { enrollSyncDevice(name: \"Other tablet\") { id } }";
    let r = f.app.gql(Some(&other_token), q, json!({})).await.expect("enroll");
    let other_device = r["data"]["enrollSyncDevice"]["id"].as_str().expect("id").to_owned();
    let r = f
        .app
        .gql(
            Some(&other_token),
            crate::support::BATCH,
            json!({"b": {"events": [vitals(&other_device, "o-1", people["clinician"], 60)]}}),
        )
        .await
        .expect("other batch");
    assert_eq!(r["data"]["syncEvents"]["accepted"], 1, "{r}");

    let page = pull(&f, "clinician", &tablet, None, 1).await;
    assert_eq!(seen(&page), (vec!["s-1"], vec![patient.to_string().as_str()]), "{page}");
    assert_eq!(page["hasMore"], true);
    assert_eq!(page["events"][0]["subjectId"], patient.to_string());
    let rest = pull(&f, "clinician", &tablet, page["cursor"].as_str(), 500).await;
    assert_eq!(seen(&rest), (vec!["s-2"], vec![]), "{rest}");
    assert_eq!(rest["hasMore"], false);
    let cursor = rest["cursor"].as_str().expect("cursor").to_owned();
    let nothing = pull(&f, "clinician", &tablet, Some(&cursor), 500).await;
    assert_eq!(seen(&nothing), (vec![], vec![]), "{nothing}");
    assert_eq!(nothing["cursor"], cursor.as_str(), "an empty pull keeps the cursor");

    // A new reading and a new profile state arrive on the next pull only.
    let later = event(
        &phone,
        "s-5",
        "profile.updated",
        chrono::Utc::now(),
        json!({"profileId": patient.to_string(), "phone": "+91 98765 00002"}),
    );
    f.sync("staff", vec![vitals(&phone, "s-4", patient, 73), later]).await;
    let next = pull(&f, "clinician", &tablet, Some(&cursor), 500).await;
    assert_eq!(seen(&next), (vec!["s-4"], vec![patient.to_string().as_str()]), "{next}");
    assert_eq!(next["records"][0]["payload"]["phone"], "+91 98765 00002");

    // The device keeps the cursor it was handed last.
    let devices = f.ok("clinician", "{ syncDevices { id lastCursor } }", json!({})).await;
    assert_eq!(devices["syncDevices"][0]["lastCursor"], next["cursor"], "{devices}");
}

#[tokio::test]
async fn only_the_devices_owner_pulls_and_a_forged_cursor_is_refused() {
    let f = Field::start_with(|c| c.changes_settle_ms = 0).await;
    let tablet = f.device("clinician").await;
    let refused = |answer: Value| answer["errors"][0]["extensions"].clone();
    let vars = json!({"d": tablet});

    let r = f.gql("staff", PULL, vars.clone()).await;
    assert_eq!(refused(r.clone())["code"], "NOT_FOUND", "another user's device: {r}");
    let (other, people) = f.other_tenant().await;
    let token = f.app.token(other, people["tenant_admin"], &["tenant_admin"]);
    let r = f.app.gql(Some(&token), PULL, vars.clone()).await.expect("pull");
    assert_eq!(refused(r.clone())["code"], "NOT_FOUND", "another tenant's device: {r}");
    let r = f.gql("clinician", PULL, json!({"d": Uuid::new_v4()})).await;
    assert_eq!(refused(r.clone())["code"], "NOT_FOUND", "{r}");

    for since in ["", "1.x.y.0.0", "2.0.0.0.0", "1.0.0.0.0.0", &"9".repeat(5000)] {
        let r = f.gql("clinician", PULL, json!({"d": tablet, "since": since})).await;
        assert_eq!(refused(r.clone())["reason"], "INVALID_CURSOR", "{since:.20}: {r}");
    }
    let r = f.gql("clinician", PULL, json!({"d": tablet, "first": 1001})).await;
    assert_eq!(refused(r.clone())["code"], "BAD_USER_INPUT", "{r}");

    let revoke = "mutation($id: ID!) { revokeSyncDevice(id: $id) { revokedAt } }";
    f.ok("clinician", revoke, json!({"id": tablet})).await;
    let r = f.gql("clinician", PULL, vars).await;
    assert_eq!(refused(r.clone())["reason"], "DEVICE_REVOKED", "{r}");
}

#[tokio::test]
async fn a_row_younger_than_the_settle_time_waits_for_the_next_pull() {
    let f = Field::start_with(|c| c.changes_settle_ms = 1_500).await;
    let (patient, clinician, staff) = (f.user("patient"), f.user("clinician"), f.user("staff"));
    f.assign(clinician, patient).await;
    f.assign(staff, patient).await;
    let (tablet, phone) = (f.device("clinician").await, f.device("staff").await);
    f.sync("staff", vec![vitals(&phone, "s-1", patient, 70)]).await;

    let early = pull(&f, "clinician", &tablet, None, 500).await;
    assert_eq!(seen(&early), (vec![], vec![]), "{early}");
    tokio::time::sleep(std::time::Duration::from_millis(1_600)).await;
    let settled = pull(&f, "clinician", &tablet, early["cursor"].as_str(), 500).await;
    assert_eq!(seen(&settled), (vec!["s-1"], vec![]), "{settled}");
}
