//! The quarantine: visible to tenant admins only, fixed and replayed, or
//! discarded; what a device sends again is answered from it.

use serde_json::json;
use subgraph_kit::testkit::error_codes;

use crate::support::{Field, acks, vitals};

const HELD: &str = "{ syncQuarantine { id clientEventId reason detail status payload } }";
const REPLAY: &str = "mutation($id: ID!, $p: JSON) { replayQuarantinedEvent(id: $id, payload: $p) { id clientEventId payload } }";

#[tokio::test]
async fn a_held_event_is_fixed_and_replayed_and_another_discarded() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let me = f.user("clinician");
    let sent =
        f.sync("clinician", vec![vitals(&device, "q-1", me, 900), vitals(&device, "q-2", me, 1)]).await;
    let first = acks(&sent);

    assert_eq!(error_codes(&f.gql("clinician", HELD, json!({})).await), ["FORBIDDEN"], "only admins see it");
    let held = f.ok("tenant_admin", HELD, json!({})).await["syncQuarantine"].clone();
    assert_eq!(held.as_array().map(Vec::len), Some(2), "{held}");
    assert_eq!(held[0]["reason"], "SCHEMA_INVALID");
    assert_eq!(held[0]["status"], "HELD");
    let id = held[0]["id"].clone();
    assert_eq!(id, first["q-1"]["quarantineId"]);

    // A fix over the payload limit is refused like an upload over it.
    let huge = json!({"id": id, "p": {"patientId": me, "pulse": 90, "note": "x".repeat(70_000)}});
    let refused = f.gql("tenant_admin", REPLAY, huge).await;
    assert_eq!(refused["errors"][0]["extensions"]["reason"], "PAYLOAD_TOO_LARGE", "{refused}");
    assert_eq!(f.ok("tenant_admin", HELD, json!({})).await["syncQuarantine"][0]["status"], "HELD");

    // A fix that is still wrong keeps it held, with the new reason.
    let wrong =
        f.gql("tenant_admin", REPLAY, json!({"id": id, "p": {"patientId": me, "pulse": "fast"}})).await;
    assert_eq!(wrong["errors"][0]["extensions"]["reason"], "SCHEMA_INVALID", "{wrong}");
    assert_eq!(f.count("sync_events").await, 0);

    let fixed = f.ok("tenant_admin", REPLAY, json!({"id": id, "p": {"patientId": me, "pulse": 90}})).await;
    let event = &fixed["replayQuarantinedEvent"];
    assert_eq!(
        (event["clientEventId"].as_str(), event["payload"]["pulse"].as_i64()),
        (Some("q-1"), Some(90))
    );
    assert_eq!(f.count("outbox WHERE event_type = 'sync.vitals.recorded'").await, 1);

    // Replaying twice is refused; the device sending it again learns the id.
    let twice = f.gql("tenant_admin", REPLAY, json!({"id": id})).await;
    assert_eq!(twice["errors"][0]["extensions"]["reason"], "NOT_HELD", "{twice}");
    let resent = f.sync("clinician", vec![vitals(&device, "q-1", me, 900)]).await;
    assert_eq!(
        (resent["acks"][0]["status"].as_str(), &resent["acks"][0]["eventId"]),
        (Some("DUPLICATE"), &event["id"])
    );

    let discard =
        "mutation($id: ID!) { discardQuarantinedEvent(id: $id, note: \"sensor fault\") { status } }";
    let gone = f.ok("tenant_admin", discard, json!({"id": held[1]["id"]})).await;
    assert_eq!(gone["discardQuarantinedEvent"]["status"], "DISCARDED");
    let resent = f.sync("clinician", vec![vitals(&device, "q-2", me, 1)]).await;
    assert_eq!(resent["acks"][0]["reason"], "DISCARDED", "{resent}");
    let still = f.ok("tenant_admin", HELD, json!({})).await;
    assert_eq!(still["syncQuarantine"], json!([]), "nothing is held any more");
    assert_eq!(f.count("sync_quarantine").await, 2);
}

#[tokio::test]
async fn an_unknown_type_is_held_until_its_schema_is_registered() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let visit = json!({"village": "Rampur", "minutes": 25});
    let sent = f
        .sync(
            "clinician",
            vec![crate::support::event(&device, "u-1", "visit.recorded", chrono::Utc::now(), visit)],
        )
        .await;
    assert_eq!(sent["acks"][0]["reason"], "UNKNOWN_TYPE");
    let id = sent["acks"][0]["quarantineId"].clone();
    let early = f.gql("tenant_admin", REPLAY, json!({"id": id})).await;
    assert_eq!(early["errors"][0]["extensions"]["reason"], "UNKNOWN_TYPE", "{early}");

    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let schema = json!({"type": "object", "required": ["village"]});
    f.ok(
        "tenant_admin",
        register,
        json!({"i": {"type": "visit.recorded", "schemaVersion": 1, "stream": "APPEND", "schema": schema}}),
    )
    .await;
    let replayed = f.ok("tenant_admin", REPLAY, json!({"id": id})).await;
    assert_eq!(replayed["replayQuarantinedEvent"]["payload"]["village"], "Rampur");

    // A registered version is fixed: another schema under it is refused.
    let other = json!({"i": {"type": "visit.recorded", "schemaVersion": 1, "stream": "APPEND", "schema": {"type": "object"}}});
    let refused = f.gql("tenant_admin", register, other).await;
    assert_eq!(refused["errors"][0]["extensions"]["reason"], "VERSION_EXISTS", "{refused}");
    let remote = json!({"i": {"type": "visit.recorded", "schemaVersion": 2, "stream": "APPEND", "schema": {"$ref": "http://169.254.169.254/latest/meta-data"}}});
    let refused = f.gql("tenant_admin", register, remote).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["reason"], "SCHEMA_UNUSABLE",
        "no schema fetches anything: {refused}"
    );
}
