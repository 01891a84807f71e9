//! The waitlist: a cancelled slot is offered to the first in line as a
//! hold (with an event the notifications subgraph turns into a message);
//! an offer that lapses or is turned down goes to the next; a confirmed
//! one is booked. Patients see only their own entries (other tenants'
//! ids: tests/scheduling/isolation.rs).

use backbone_entities::platform::outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use subgraph_kit::testkit::data;
use subgraph_scheduling::domain::{lifecycle, waitlist};

use super::support::{Clinic, code, day_at_ten};

const ENTRIES: &str = "query($s: ID) { waitlist(serviceId: $s, first: 20) { edges { node {
    id status patient { id } from to offer { id status startsAt holdExpiresAt patient { id } } } } } }";

async fn join(clinic: &Clinic, role: &str, service: &str, patient: Option<&str>) -> Value {
    let start = day_at_ten(3);
    let input = json!({"serviceId": service, "from": start, "to": start.replace("T10:00", "T12:00"),
        "timeZone": "Europe/London", "patientId": patient.map(|p| clinic.user(p))});
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id status } }";
    clinic.gql(role, q, json!({"i": input})).await
}

async fn entries(clinic: &Clinic, role: &str) -> Vec<Value> {
    let d = clinic.ok(role, ENTRIES, json!({})).await;
    d["waitlist"]["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect()
}

/// A booked slot for the auditor, a waitlist of the patient then the
/// admin (added by staff), and the slot cancelled; returns the service.
async fn freed(clinic: &Clinic) -> String {
    let (_, _, service) = clinic.clinician_and_room().await;
    let input = json!({"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC", "patientId": clinic.user("auditor")});
    let booked = data(clinic.book("staff", input).await);
    assert_eq!(data(join(clinic, "patient", &service, None).await)["joinWaitlist"]["status"], "WAITING");
    data(join(clinic, "staff", &service, Some("tenant_admin")).await);
    let q = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"travelling\") { status } }";
    clinic.ok("staff", q, json!({"id": booked["bookAppointment"]["id"]})).await;
    service
}

#[tokio::test]
async fn a_freed_slot_goes_to_the_first_in_line_then_to_the_next_when_the_offer_lapses() {
    let clinic = Clinic::start().await;
    freed(&clinic).await;
    let list = entries(&clinic, "staff").await;
    assert_eq!(list.len(), 2);
    let (first, second) = (&list[0], &list[1]);
    assert_eq!(first["patient"]["id"], clinic.user("patient").to_string());
    assert_eq!(first["status"], "OFFERED", "{first}");
    assert_eq!(first["offer"]["status"], "HELD");
    assert!(first["offer"]["startsAt"].as_str().expect("start").starts_with(&day_at_ten(3)[..16]));
    assert_eq!(second["status"], "WAITING");
    let db = &clinic.app.kit.db;
    let offered = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("appointment.waitlist_offered"))
        .all(db)
        .await
        .expect("outbox");
    assert_eq!(offered.len(), 1);
    assert!(offered[0].payload.contains(&clinic.user("patient").to_string()));
    // The patient sees only their own entry.
    let own = entries(&clinic, "patient").await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["id"], first["id"]);

    // The offer lapses unconfirmed: the next in line gets the slot.
    let later = chrono::Utc::now() + chrono::Duration::minutes(31);
    assert_eq!(lifecycle::lapse_holds(db, chrono::Duration::minutes(30), later).await.expect("lapse"), 1);
    let list = entries(&clinic, "staff").await;
    assert_eq!(list[0]["status"], "EXPIRED");
    assert_eq!(list[1]["status"], "OFFERED", "{list:?}");
    let offer = &list[1]["offer"];
    assert_eq!(offer["patient"]["id"], clinic.user("tenant_admin").to_string());
    let confirm = "mutation($id: ID!) { confirmAppointment(id: $id) { status } }";
    let late = clinic.gql("patient", confirm, json!({"id": list[0]["offer"]["id"]})).await;
    assert!(!late["errors"].is_null(), "the lapsed offer cannot be confirmed: {late}");
    let done = clinic.ok("tenant_admin", confirm, json!({"id": offer["id"]})).await;
    assert_eq!(done["confirmAppointment"]["status"], "SCHEDULED");
    assert_eq!(entries(&clinic, "staff").await[1]["status"], "BOOKED");
}

#[tokio::test]
async fn an_offer_turned_down_goes_to_the_next_and_leaving_is_only_for_the_waiting() {
    let clinic = Clinic::start().await;
    freed(&clinic).await;
    let list = entries(&clinic, "staff").await;
    let leave = "mutation($id: ID!) { leaveWaitlist(id: $id) { status } }";
    let refused = clinic.gql("patient", leave, json!({"id": list[0]["id"]})).await;
    assert_eq!(code(&refused), "CONFLICT", "an offered entry is declined, not left: {refused}");
    let decline = "mutation($id: ID!) { cancelAppointment(id: $id) { status } }";
    clinic.ok("patient", decline, json!({"id": list[0]["offer"]["id"]})).await;
    let list = entries(&clinic, "staff").await;
    assert_eq!(list[0]["status"], "DECLINED");
    assert_eq!(list[1]["status"], "OFFERED");
    // The admin turns it down too: nobody is left waiting.
    clinic.ok("tenant_admin", decline, json!({"id": list[1]["offer"]["id"]})).await;
    assert_eq!(entries(&clinic, "staff").await[1]["status"], "DECLINED");

    let (_, _, service) = clinic.clinician_and_room().await;
    let id = data(join(&clinic, "patient", &service, None).await)["joinWaitlist"]["id"].clone();
    let left = clinic.ok("patient", leave, json!({"id": id})).await;
    assert_eq!(left["leaveWaitlist"]["status"], "LEFT");

    // An entry whose range has passed is closed by the sweep.
    data(join(&clinic, "patient", &service, None).await);
    let db = &clinic.app.kit.db;
    let now = chrono::Utc::now();
    assert_eq!(waitlist::close_passed(db, now).await.expect("close"), 0);
    assert_eq!(waitlist::close_passed(db, now + chrono::Duration::days(4)).await.expect("close"), 1);
    let own = entries(&clinic, "patient").await;
    assert!(own.iter().all(|e| e["status"] != "WAITING"), "{own:?}");
}

#[tokio::test]
async fn patients_wait_only_for_themselves_and_for_a_bounded_range_in_a_known_zone() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    assert_eq!(code(&join(&clinic, "patient", &service, Some("auditor")).await), "FORBIDDEN");
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id } }";
    for (from, to) in
        [(day_at_ten(3), day_at_ten(2)), (day_at_ten(-3), day_at_ten(-2)), (day_at_ten(1), day_at_ten(200))]
    {
        let input = json!({"serviceId": service, "from": from, "to": to, "timeZone": "UTC"});
        let r = clinic.gql("patient", q, json!({"i": input})).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{from}..{to}: {r}");
    }
    let input =
        json!({"serviceId": service, "from": day_at_ten(1), "to": day_at_ten(2), "timeZone": "Nowhere/Land"});
    assert_eq!(code(&clinic.gql("patient", q, json!({"i": input})).await), "BAD_USER_INPUT");
}
