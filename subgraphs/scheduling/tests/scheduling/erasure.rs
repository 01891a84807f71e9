//! Export and erasure through the data contract: a patient's appointments,
//! series and waitlist entries go, with the appointments' reservations,
//! reminders and history; a clinician's resource stays without their
//! name, user id or time-off reasons.

use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::json;
use subgraph_kit::contract::{DataContract, Person, Subject};
use subgraph_scheduling::domain::data::SchedulingData;

use super::support::{Clinic, day_at_ten};

#[tokio::test]
async fn erasure_removes_a_patients_appointments_and_unlinks_a_clinician() {
    use backbone_entities::scheduling::{
        appointment, closure, history, reminder, reservation, resource, series, waitlist,
    };
    let clinic = Clinic::start().await;
    let (clinician, _, _) = clinic.clinician_and_room().await;
    let service = clinic
        .service(
            json!({"reminderOffsetsMinutes": [60, 1440]}),
            json!([{"kind": "PERSON", "category": "clinician"}, {"kind": "ROOM", "category": "exam_room"}]),
        )
        .await;
    let q = "mutation($id: ID!) { addTimeOff(resourceId: $id, startsAt: \"2027-01-01T00:00:00Z\", endsAt: \"2027-01-02T00:00:00Z\", reason: \"surgery\") }";
    clinic.ok("tenant_admin", q, json!({"id": clinician})).await;
    let input =
        json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC", "notes": "my knee hurts"});
    subgraph_kit::testkit::data(clinic.book("patient", input).await);
    let q = "mutation($i: BookSeriesInput!) { bookAppointmentSeries(input: $i) { seriesId } }";
    let weekly = json!({"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC", "rule": "FREQ=WEEKLY;COUNT=3"});
    clinic.ok("patient", q, json!({"i": weekly})).await;
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id } }";
    let wait = json!({"serviceId": service, "from": day_at_ten(20), "to": day_at_ten(21), "timeZone": "UTC"});
    clinic.ok("patient", q, json!({"i": wait})).await;
    let db = &clinic.app.kit.db;
    let who = Person::new(Subject { tenant_id: clinic.tenant, user_id: clinic.user("patient") }, []);
    let exported = SchedulingData.export(db, &who).await.expect("export");
    assert_eq!(exported["appointments"].as_array().expect("appointments").len(), 4);
    assert_eq!(exported["appointmentSeries"][0]["rule"], "FREQ=WEEKLY;COUNT=3");
    assert_eq!(exported["waitlistEntries"][0]["status"], "waiting");
    assert_eq!(reminder::Entity::find().all(db).await.expect("rows").len(), 8, "two per appointment");
    assert_eq!(series::Entity::find().all(db).await.expect("rows").len(), 1);
    for role in ["patient", "clinician"] {
        let who = Person::new(Subject { tenant_id: clinic.tenant, user_id: clinic.user(role) }, []);
        let txn = db.begin().await.expect("txn");
        SchedulingData.erase(&txn, &who).await.expect("erase");
        subgraph_kit::db::commit(txn).await.expect("commit");
    }
    assert!(appointment::Entity::find().all(db).await.expect("rows").is_empty());
    assert!(reservation::Entity::find().all(db).await.expect("rows").is_empty());
    assert!(history::Entity::find().all(db).await.expect("rows").is_empty());
    assert!(reminder::Entity::find().all(db).await.expect("rows").is_empty());
    assert!(series::Entity::find().all(db).await.expect("rows").is_empty());
    assert!(waitlist::Entity::find().all(db).await.expect("rows").is_empty());
    let r = resource::Entity::find_by_id(clinician.parse::<uuid::Uuid>().expect("id"))
        .one(db)
        .await
        .expect("row")
        .expect("kept");
    assert_eq!((r.user_id, r.name.as_str(), r.active), (None, "(erased person)", false));
    let reasons: Vec<String> =
        closure::Entity::find().all(db).await.expect("rows").into_iter().map(|c| c.reason).collect();
    assert_eq!(reasons, ["(erased)"]);
}

#[tokio::test]
async fn retention_purges_finished_waitlist_entries_and_series_left_without_appointments() {
    use backbone_entities::scheduling::{series, waitlist};
    use subgraph_kit::contract::Purge;
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id } }";
    let wait = |d: i64| json!({"i": {"serviceId": service, "from": day_at_ten(d), "to": day_at_ten(d + 1), "timeZone": "UTC"}});
    let left = clinic.ok("patient", q, wait(5)).await["joinWaitlist"]["id"].clone();
    clinic.ok("patient", q, wait(6)).await;
    clinic
        .ok("patient", "mutation($id: ID!) { leaveWaitlist(id: $id) { status } }", json!({"id": left}))
        .await;
    let q = "mutation($i: BookSeriesInput!) { bookAppointmentSeries(input: $i) { booked { id } } }";
    let weekly = json!({"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC", "rule": "FREQ=WEEKLY;COUNT=2"});
    let booked = clinic.ok("patient", q, json!({"i": weekly})).await;
    let cancel = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"moving\") { status } }";
    for b in booked["bookAppointmentSeries"]["booked"].as_array().expect("booked") {
        clinic.ok("patient", cancel, json!({"id": b["id"]})).await;
    }
    let db = &clinic.app.kit.db;
    let purge = |data_type: &str, dry_run: bool| Purge {
        tenant_id: clinic.tenant,
        data_type: data_type.into(),
        before: chrono::Utc::now() + chrono::Duration::days(60),
        exceptions: vec![],
        dry_run,
    };
    assert!(SchedulingData.data_types().contains(&"finished_waitlist_entries"));
    assert_eq!(SchedulingData.purge(db, &purge("finished_waitlist_entries", true)).await.expect("dry"), 1);
    assert_eq!(SchedulingData.purge(db, &purge("finished_waitlist_entries", false)).await.expect("purge"), 1);
    let statuses: Vec<_> =
        waitlist::Entity::find().all(db).await.expect("rows").into_iter().map(|e| e.status).collect();
    assert_eq!(statuses, [waitlist::WaitlistStatus::Waiting], "the waiting entry stays");
    assert_eq!(SchedulingData.purge(db, &purge("finished_appointments", false)).await.expect("purge"), 2);
    assert!(
        series::Entity::find().all(db).await.expect("rows").is_empty(),
        "a series with no appointments left goes"
    );
}
