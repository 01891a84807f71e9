//! The lifecycle after booking: steps, the notice window, rescheduling
//! with history, and refused transitions.

use serde_json::json;
use subgraph_kit::testkit::data;

use super::support::{Clinic, code, day_at_ten, reasons};

async fn booked(clinic: &Clinic, service: &str, start: &str) -> String {
    let a = data(
        clinic.book("patient", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC"})).await,
    );
    a["bookAppointment"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_patient_cannot_cancel_inside_the_notice_window_but_staff_can_with_a_reason() {
    let clinic = Clinic::start().await;
    let (_, _, _) = clinic.clinician_and_room().await;
    let service = clinic
        .service(json!({"cancelNoticeMinutes": 2880}), json!([{"kind": "PERSON", "category": "clinician"}]))
        .await;
    let id = booked(&clinic, &service, &day_at_ten(1)).await;
    let cancel =
        "mutation($id: ID!, $r: String) { cancelAppointment(id: $id, reason: $r) { status cancelReason } }";
    let refused = clinic.gql("patient", cancel, json!({"id": id})).await;
    assert_eq!(
        (code(&refused), reasons(&refused)),
        ("CONFLICT".into(), vec!["INSIDE_NOTICE_WINDOW".into()]),
        "{refused}"
    );
    let no_reason = clinic.gql("staff", cancel, json!({"id": id})).await;
    assert_eq!(code(&no_reason), "BAD_USER_INPUT", "{no_reason}");
    let done = clinic.ok("staff", cancel, json!({"id": id, "r": "clinician ill"})).await;
    assert_eq!(done["cancelAppointment"], json!({"status": "CANCELLED", "cancelReason": "clinician ill"}));
    // The slot is free again.
    let again = clinic
        .book("patient", json!({"serviceId": service, "startsAt": day_at_ten(1), "timeZone": "UTC"}))
        .await;
    assert_eq!(data(again)["bookAppointment"]["status"], "SCHEDULED");
}

#[tokio::test]
async fn steps_run_in_order_and_a_wrong_step_is_refused() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let id = booked(&clinic, &service, &day_at_ten(2)).await;
    let step =
        "mutation($id: ID!, $s: AppointmentStep!) { recordAppointmentStep(id: $id, step: $s) { status } }";
    let early = clinic.gql("staff", step, json!({"id": id, "s": "COMPLETE"})).await;
    assert_eq!(reasons(&early), ["INVALID_TRANSITION"], "{early}");
    let patient = clinic.gql("patient", step, json!({"id": id, "s": "CHECK_IN"})).await;
    assert_eq!(code(&patient), "FORBIDDEN", "{patient}");
    for (s, status) in [("CHECK_IN", "CHECKED_IN"), ("START", "IN_PROGRESS"), ("COMPLETE", "COMPLETED")] {
        // The clinician who is the appointment's resource may record steps.
        let d = clinic.ok("clinician", step, json!({"id": id, "s": s})).await;
        assert_eq!(d["recordAppointmentStep"]["status"], status);
    }
    let cancel = "mutation($id: ID!) { cancelAppointment(id: $id) { status } }";
    let late = clinic.gql("staff", cancel, json!({"id": id})).await;
    assert_eq!(reasons(&late), ["INVALID_TRANSITION"], "{late}");
}

#[tokio::test]
async fn rescheduling_moves_the_reservation_and_keeps_the_history() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let (first, second) = (day_at_ten(3), day_at_ten(4));
    let id = booked(&clinic, &service, &first).await;
    let q = "mutation($id: ID!, $t: DateTime!) { rescheduleAppointment(id: $id, startsAt: $t) { startsAt history { from to startsAt reason } } }";
    let moved = clinic.ok("patient", q, json!({"id": id, "t": second})).await;
    let history = moved["rescheduleAppointment"]["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert!(history[0]["startsAt"].as_str().expect("old").starts_with(&first[..16]), "{history:?}");
    assert!(history[1]["startsAt"].as_str().expect("new").starts_with(&second[..16]), "{history:?}");
    assert_eq!(history[1]["reason"], "rescheduled");
    // The old time is free, the new one taken.
    let other = json!({"serviceId": service, "timeZone": "UTC", "patientId": clinic.user("auditor")});
    let mut at_first = other.clone();
    at_first["startsAt"] = json!(first);
    assert_eq!(data(clinic.book("staff", at_first).await)["bookAppointment"]["status"], "SCHEDULED");
    let mut at_second = other;
    at_second["startsAt"] = json!(second);
    assert_eq!(reasons(&clinic.book("staff", at_second).await), ["SLOT_TAKEN"]);
}
