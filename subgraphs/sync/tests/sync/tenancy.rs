//! Tenant isolation: a device enrolled in one tenant sends nothing for
//! another, and nothing of one tenant's quarantine or devices is visible
//! or usable from another.

use serde_json::json;
use subgraph_kit::testkit::data;

use crate::support::{BATCH, Field, vitals};

#[tokio::test]
async fn a_device_of_tenant_a_cannot_send_for_tenant_b() {
    let f = Field::start().await;
    let a_device = f.device("clinician").await;
    let (b, b_users) = f.other_tenant().await;
    let b_token = |role: &str| f.app.token(b, b_users[role], &[role]);

    // B's clinician presents A's device: held in B as not enrolled; A has
    // nothing.
    let batch = json!({"b": {"events": [vitals(&a_device, "x-1", b_users["clinician"], 70)]}});
    let answer =
        data(f.app.gql(Some(&b_token("clinician")), BATCH, batch).await.expect("send"))["syncEvents"].clone();
    assert_eq!(answer["acks"][0]["reason"], "DEVICE_NOT_ENROLLED", "{answer}");
    assert_eq!(f.count("sync_events").await, 0);
    let a_held = f.ok("tenant_admin", "{ syncQuarantine { id } }", json!({})).await;
    assert_eq!(a_held["syncQuarantine"], json!([]), "A's admins see nothing of B's");

    // A's admin cannot replay or discard B's entry, nor revoke from B.
    let b_entry = answer["acks"][0]["quarantineId"].clone();
    let replay = "mutation($id: ID!) { replayQuarantinedEvent(id: $id) { id } }";
    let r = f.gql("tenant_admin", replay, json!({"id": b_entry})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND", "{r}");
    let revoke = "mutation($id: ID!) { revokeSyncDevice(id: $id) { id } }";
    let r = f.app.gql(Some(&b_token("tenant_admin")), revoke, json!({"id": a_device})).await.expect("revoke");
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND", "{r}");
    // B's admin replaying it: the device is still not enrolled there.
    let r = f.app.gql(Some(&b_token("tenant_admin")), replay, json!({"id": b_entry})).await.expect("replay");
    assert_eq!(r["errors"][0]["extensions"]["reason"], "DEVICE_NOT_ENROLLED", "{r}");

    // A's admin (tenant scope) records about a user of B: not a user here.
    let admin_device = f.device("tenant_admin").await;
    let stranger = vitals(&admin_device, "x-2", b_users["patient"], 70);
    let answer = f.sync("tenant_admin", vec![stranger]).await;
    assert_eq!(answer["acks"][0]["reason"], "SUBJECT_NOT_ASSIGNED", "{answer}");

    // Nor can A enroll a device to B's user, or assign B's users.
    let enroll = "mutation($u: ID!) { enrollSyncDevice(name: \"x\", userId: $u) { id } }";
    let r = f.gql("tenant_admin", enroll, json!({"u": b_users["clinician"]})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND", "{r}");
    let assign = "mutation($w: ID!, $s: ID!) { assignSyncSubject(workerId: $w, subjectId: $s) }";
    let r = f.gql("tenant_admin", assign, json!({"w": f.user("clinician"), "s": b_users["patient"]})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND", "{r}");
}

#[tokio::test]
async fn a_device_sends_only_for_its_own_user() {
    let f = Field::start().await;
    let staff_device = f.device("staff").await;
    let me = f.user("clinician");
    // The clinician presents the staff member's device.
    let answer = f.sync("clinician", vec![vitals(&staff_device, "o-1", me, 70)]).await;
    assert_eq!(answer["acks"][0]["reason"], "DEVICE_NOT_ENROLLED", "{answer}");
    // A revoked device sends nothing new, but learns what it sent before.
    let mine = f.device("clinician").await;
    let sent = f.sync("clinician", vec![vitals(&mine, "o-2", me, 70)]).await;
    let revoke = "mutation($id: ID!) { revokeSyncDevice(id: $id) { revokedAt } }";
    f.ok("clinician", revoke, json!({"id": mine})).await;
    let after = f.sync("clinician", vec![vitals(&mine, "o-2", me, 70), vitals(&mine, "o-3", me, 70)]).await;
    assert_eq!(after["acks"][0]["eventId"], sent["acks"][0]["eventId"]);
    assert_eq!(after["acks"][1]["reason"], "DEVICE_NOT_ENROLLED", "{after}");
}
