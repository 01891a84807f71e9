//! Free slots and booking: resources reserved together, never twice, a
//! retried request answered once, holds that lapse.

use serde_json::json;
use subgraph_kit::testkit::{TestDb, data};

use super::support::{Clinic, code, day_at_ten, reasons};

#[tokio::test]
async fn a_booked_slot_takes_every_resource_it_needs_and_is_no_longer_offered() {
    let clinic = Clinic::start().await;
    let (clinician, room, service) = clinic.clinician_and_room().await;
    let start = day_at_ten(3);
    let end = start.replace("T10:00", "T11:00");
    let before = clinic.slots("patient", &service, &start, &end, "UTC").await;
    assert_eq!(before.len(), 2, "10:00 and 10:30: {before:?}");
    assert_eq!(before[0]["resources"].as_array().expect("resources").len(), 2);

    let booked = data(
        clinic
            .book("patient", json!({"serviceId": service, "startsAt": start, "timeZone": "Asia/Kolkata"}))
            .await,
    );
    let a = &booked["bookAppointment"];
    assert_eq!(a["status"], "SCHEDULED");
    assert_eq!(a["patient"]["id"], clinic.user("patient").to_string());
    let mut held: Vec<&str> =
        a["resources"].as_array().expect("resources").iter().map(|r| r["id"].as_str().expect("id")).collect();
    held.sort();
    let mut wanted = vec![clinician.as_str(), room.as_str()];
    wanted.sort();
    assert_eq!(held, wanted);
    assert!(a["localStart"].as_str().expect("local").contains("T15:30:00+05:30[Asia/Kolkata]"), "{a}");

    let after = clinic.slots("patient", &service, &start, &end, "UTC").await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert!(after[0]["startsAt"].as_str().expect("start").contains("T10:30:00"));
    let again = clinic.book("staff", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC", "patientId": clinic.user("auditor")})).await;
    assert_eq!(code(&again), "CONFLICT", "{again}");
    assert_eq!(reasons(&again), ["SLOT_TAKEN"]);
}

#[tokio::test]
async fn fifty_concurrent_bookings_of_one_slot_book_exactly_one() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let start = day_at_ten(5);
    let attempts = (0..50).map(|i| {
        let (clinic, service, start) = (&clinic, service.clone(), start.clone());
        async move {
            clinic
                .book("staff", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC", "patientId": clinic.user("patient"), "notes": format!("attempt {i}")}))
                .await
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let won = answers.iter().filter(|r| r["errors"].is_null()).count();
    assert_eq!(won, 1, "exactly one booking wins");
    for r in answers.iter().filter(|r| !r["errors"].is_null()) {
        assert_eq!((code(r), reasons(r)), ("CONFLICT".to_owned(), vec!["SLOT_TAKEN".to_owned()]), "{r}");
    }
    let q = "{ appointments(first: 100) { edges { node { id status } } } }";
    let listed = clinic.ok("staff", q, json!({})).await;
    assert_eq!(listed["appointments"]["edges"].as_array().expect("edges").len(), 1);
}

#[tokio::test]
async fn a_retried_request_returns_the_first_answer_and_a_reused_key_is_refused() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let input = json!({"serviceId": service, "startsAt": day_at_ten(4), "timeZone": "UTC", "idempotencyKey": "phone-retry-1"});
    let first = data(clinic.book("patient", input.clone()).await);
    let retried = data(clinic.book("patient", input.clone()).await);
    assert_eq!(first["bookAppointment"]["id"], retried["bookAppointment"]["id"]);

    let mut other = input;
    other["startsAt"] = json!(day_at_ten(6));
    let reused = clinic.book("patient", other).await;
    assert_eq!(reasons(&reused), ["IDEMPOTENCY_KEY_REUSED"], "{reused}");
    let q = "{ appointments { edges { node { id } } } }";
    assert_eq!(
        clinic.ok("patient", q, json!({})).await["appointments"]["edges"].as_array().expect("edges").len(),
        1
    );
}

#[tokio::test]
async fn a_hold_keeps_the_slot_until_it_lapses_and_a_lapsed_hold_cannot_be_confirmed() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let start = day_at_ten(2);
    let q = "mutation($i: BookAppointmentInput!) { holdAppointment(input: $i) { id status holdExpiresAt } }";
    let held = clinic
        .ok("patient", q, json!({"i": {"serviceId": service, "startsAt": start, "timeZone": "UTC"}}))
        .await;
    assert_eq!(held["holdAppointment"]["status"], "HELD");
    let id = held["holdAppointment"]["id"].as_str().expect("id").to_owned();
    let taken = clinic.book("staff", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC", "patientId": clinic.user("auditor")})).await;
    assert_eq!(reasons(&taken), ["SLOT_TAKEN"], "{taken}");

    // The sweeper's pass as if the hold's time had run out.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let lapsed = subgraph_scheduling::domain::lifecycle::lapse_holds(
        &clinic.app.kit.db,
        chrono::Duration::minutes(30),
        later,
    )
    .await
    .expect("lapse");
    assert_eq!(lapsed, 1);
    let confirm = "mutation($id: ID!) { confirmAppointment(id: $id) { status } }";
    let late = clinic.gql("patient", confirm, json!({"id": id})).await;
    assert_eq!(code(&late), "CONFLICT", "{late}");
    let rebooked = clinic.book("staff", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC", "patientId": clinic.user("auditor")})).await;
    assert_eq!(data(rebooked)["bookAppointment"]["status"], "SCHEDULED");
}

#[tokio::test]
async fn a_confirmed_hold_is_scheduled() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let q = "mutation($i: BookAppointmentInput!) { holdAppointment(input: $i) { id } }";
    let held = clinic
        .ok("patient", q, json!({"i": {"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC"}}))
        .await;
    let confirm =
        "mutation($id: ID!) { confirmAppointment(id: $id) { status holdExpiresAt history { from to } } }";
    let done = clinic.ok("patient", confirm, json!({"id": held["holdAppointment"]["id"]})).await;
    assert_eq!(done["confirmAppointment"]["status"], "SCHEDULED");
    assert!(done["confirmAppointment"]["holdExpiresAt"].is_null());
    assert_eq!(
        done["confirmAppointment"]["history"],
        json!([{"from": null, "to": "HELD"}, {"from": "HELD", "to": "SCHEDULED"}])
    );
}

#[tokio::test]
async fn bad_bookings_get_coded_errors() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let book = |input: serde_json::Value| clinic.book("patient", input);
    let past =
        book(json!({"serviceId": service, "startsAt": "2020-01-01T10:00:00Z", "timeZone": "UTC"})).await;
    assert_eq!(code(&past), "BAD_USER_INPUT", "{past}");
    let zone =
        book(json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "Mars/Olympus"})).await;
    assert_eq!(code(&zone), "BAD_USER_INPUT", "{zone}");
    let far = book(json!({"serviceId": service, "startsAt": day_at_ten(800), "timeZone": "UTC"})).await;
    assert_eq!(code(&far), "BAD_USER_INPUT", "{far}");
    let for_other = book(json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC", "patientId": clinic.user("staff")})).await;
    assert_eq!(code(&for_other), "FORBIDDEN", "{for_other}");

    let q = "query($s: ID!, $f: DateTime!, $t: DateTime!) { freeSlots(serviceId: $s, from: $f, to: $t, timeZone: \"UTC\") { edges { cursor } } }";
    let backwards =
        clinic.gql("patient", q, json!({"s": service, "f": day_at_ten(3), "t": day_at_ten(2)})).await;
    assert_eq!(code(&backwards), "BAD_USER_INPUT", "{backwards}");
    let huge =
        clinic.gql("patient", q, json!({"s": service, "f": day_at_ten(1), "t": day_at_ten(400)})).await;
    assert_eq!(code(&huge), "BAD_USER_INPUT", "{huge}");

    let svc = "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }";
    let missing = clinic
        .gql("tenant_admin", svc, json!({"i": {"name": "Scan", "durationMinutes": 30, "requirements": [{"kind": "EQUIPMENT", "category": "mri"}]}}))
        .await;
    assert_eq!(
        code(&missing),
        "BAD_USER_INPUT",
        "a service needing a resource kind that does not exist: {missing}"
    );
    let res = "mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }";
    let bad_hours = clinic
        .gql("tenant_admin", res, json!({"i": {"kind": "ROOM", "category": "exam_room", "name": "R", "timeZone": "UTC", "weeklyHours": [{"day": 1, "start": "17:00", "end": "09:00"}]}}))
        .await;
    assert_eq!(code(&bad_hours), "BAD_USER_INPUT", "end before start: {bad_hours}");
}

#[tokio::test]
async fn the_database_refuses_a_double_booking_written_directly_in_sql() {
    // Postgres always: the constraint is the point of the test.
    let db = TestDb::postgres().await.expect("postgres");
    let conn = subgraph_kit::db::connect_and_migrate(&db.url).await.expect("migrate");
    use sea_orm::ConnectionTrait;
    let insert = |id: &str, appointment: &str, from: &str, to: &str, released: bool| {
        format!(
            "INSERT INTO appointment_reservations (id, tenant_id, appointment_id, resource_id, lock_key, seat, starts_at, ends_at, released) \
             VALUES ('{id}', '00000000-0000-0000-0000-000000000001', '{appointment}', '00000000-0000-0000-0000-000000000002', 42, 0, '{from}', '{to}', {released})"
        )
    };
    let a = "00000000-0000-0000-0000-00000000000a";
    let b = "00000000-0000-0000-0000-00000000000b";
    conn.execute_unprepared(&insert(
        "00000000-0000-0000-0000-000000000101",
        a,
        "2027-01-04T10:00:00Z",
        "2027-01-04T10:30:00Z",
        false,
    ))
    .await
    .expect("first");
    let overlapping = conn
        .execute_unprepared(&insert(
            "00000000-0000-0000-0000-000000000102",
            b,
            "2027-01-04T10:15:00Z",
            "2027-01-04T10:45:00Z",
            false,
        ))
        .await
        .expect_err("refused");
    assert!(overlapping.to_string().contains("ex_appointment_reservations_no_overlap"), "{overlapping}");
    // Back to back, a released row and another seat are all fine.
    for (id, from, to, released) in [
        ("103", "2027-01-04T10:30:00Z", "2027-01-04T11:00:00Z", false),
        ("104", "2027-01-04T10:00:00Z", "2027-01-04T10:30:00Z", true),
    ] {
        conn.execute_unprepared(&insert(
            &format!("00000000-0000-0000-0000-000000000{id}"),
            b,
            from,
            to,
            released,
        ))
        .await
        .expect("allowed");
    }
    conn.execute_unprepared(
        "INSERT INTO appointment_reservations (id, tenant_id, appointment_id, resource_id, lock_key, seat, starts_at, ends_at, released) \
         VALUES ('00000000-0000-0000-0000-000000000105', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-000000000002', 42, 1, '2027-01-04T10:00:00Z', '2027-01-04T10:30:00Z', false)",
    )
    .await
    .expect("another seat");
}

#[tokio::test]
async fn removed_time_off_opens_the_hours_again_and_a_closed_service_is_not_bookable() {
    let clinic = Clinic::start().await;
    let (clinician, _, service) = clinic.clinician_and_room().await;
    let (start, end) = (day_at_ten(4), day_at_ten(4).replace("T10:00", "T11:00"));
    let q = "mutation($id: ID!, $s: DateTime!, $e: DateTime!) { addTimeOff(resourceId: $id, startsAt: $s, endsAt: $e, reason: \"training\") }";
    let off =
        clinic.ok("tenant_admin", q, json!({"id": clinician, "s": start, "e": end})).await["addTimeOff"]
            .clone();
    assert!(clinic.slots("patient", &service, &start, &end, "UTC").await.is_empty());
    let q = "mutation($id: ID!) { removeClosure(id: $id) }";
    assert_eq!(clinic.ok("tenant_admin", q, json!({"id": off})).await["removeClosure"], true);
    assert_eq!(clinic.slots("patient", &service, &start, &end, "UTC").await.len(), 2);

    let q = "mutation($id: ID!, $a: Boolean!) { setServiceActive(id: $id, active: $a) { active } }";
    let closed = clinic.ok("tenant_admin", q, json!({"id": service, "a": false})).await;
    assert_eq!(closed["setServiceActive"]["active"], false);
    assert!(clinic.slots("patient", &service, &start, &end, "UTC").await.is_empty());
    let r = clinic.book("patient", json!({"serviceId": service, "startsAt": start, "timeZone": "UTC"})).await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(code(&clinic.gql("staff", q, json!({"id": service, "a": true})).await), "FORBIDDEN");
}

#[tokio::test]
async fn paging_through_free_slots_gives_what_one_page_gives() {
    let clinic = Clinic::start().await;
    let clinician = clinic
        .resource(
            "PERSON",
            "clinician",
            "Dr. Rao",
            "America/Toronto",
            super::support::every_day("09:00", "12:00"),
        )
        .await;
    let service = clinic
        .service(json!({"slotStepMinutes": 60}), json!([{"kind": "PERSON", "resourceIds": [clinician]}]))
        .await;
    let booked = data(clinic.book("patient", json!({"serviceId": service, "startsAt": day_at_ten(3).replace("T10:00", "T15:00"), "timeZone": "UTC"})).await);
    assert_eq!(booked["bookAppointment"]["status"], "SCHEDULED");
    let (from, to) = (day_at_ten(2), day_at_ten(9));
    let q = "query($s: ID!, $f: DateTime!, $t: DateTime!, $n: Int!, $a: String) { freeSlots(serviceId: $s, from: $f, to: $t, timeZone: \"UTC\", first: $n, after: $a) { edges { cursor node { startsAt } } pageInfo { hasNextPage endCursor } } }";
    let starts = |d: &serde_json::Value| -> Vec<String> {
        d["freeSlots"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["startsAt"].as_str().expect("start").to_owned())
            .collect()
    };
    let whole = starts(&clinic.ok("patient", q, json!({"s": service, "f": from, "t": to, "n": 100})).await);
    assert_eq!(whole.len(), 7 * 3 - 1, "three a day for a week, less the booked one: {whole:?}");
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let d = clinic.ok("patient", q, json!({"s": service, "f": from, "t": to, "n": 4, "a": after})).await;
        paged.extend(starts(&d));
        if d["freeSlots"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = d["freeSlots"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(paged, whole);
}
