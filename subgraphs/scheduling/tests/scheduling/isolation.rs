//! Another tenant's ids in every argument, and another patient's
//! appointment: NOT_FOUND, as if they did not exist.

use serde_json::json;
use subgraph_kit::testkit::data;

use super::support::{Clinic, code, day_at_ten};

#[tokio::test]
async fn another_tenants_ids_are_not_found_in_every_argument() {
    let clinic = Clinic::start().await;
    let (clinician, _, service) = clinic.clinician_and_room().await;
    let mine = data(
        clinic
            .book("patient", json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC"}))
            .await,
    );
    let appointment = mine["bookAppointment"]["id"].as_str().expect("id").to_owned();
    let q = "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id } }";
    let wait = json!({"serviceId": service, "from": day_at_ten(4), "to": day_at_ten(5), "timeZone": "UTC"});
    let entry = clinic.ok("patient", q, json!({"i": wait})).await["joinWaitlist"]["id"].clone();
    let q = "mutation($id: ID!) { addTimeOff(resourceId: $id, startsAt: \"2027-01-01T00:00:00Z\", endsAt: \"2027-01-02T00:00:00Z\", reason: \"x\") }";
    let time_off = clinic.ok("tenant_admin", q, json!({"id": clinician})).await["addTimeOff"].clone();

    let (other, users) = clinic.other_tenant().await;
    let token = clinic.app.token(other, users["tenant_admin"], &["tenant_admin"]);
    let app = &clinic.app;
    let gql = |q: &'static str, v: serde_json::Value| {
        let token = token.clone();
        async move { app.gql(Some(&token), q, v).await.expect("request") }
    };
    let cases = [
        ("query($id: ID!) { appointment(id: $id) { id } }", json!({"id": appointment})),
        ("query($id: ID!) { service(id: $id) { id } }", json!({"id": service})),
        (
            "query($s: ID!, $f: DateTime!, $t: DateTime!) { freeSlots(serviceId: $s, from: $f, to: $t, timeZone: \"UTC\") { edges { cursor } } }",
            json!({"s": service, "f": day_at_ten(1), "t": day_at_ten(3)}),
        ),
        (
            "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"x\") { id } }",
            json!({"id": appointment}),
        ),
        ("mutation($id: ID!) { confirmAppointment(id: $id) { id } }", json!({"id": appointment})),
        (
            "mutation($id: ID!, $t: DateTime!) { rescheduleAppointment(id: $id, startsAt: $t) { id } }",
            json!({"id": appointment, "t": day_at_ten(5)}),
        ),
        (
            "mutation($id: ID!) { recordAppointmentStep(id: $id, step: CHECK_IN) { id } }",
            json!({"id": appointment}),
        ),
        (
            "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }",
            json!({"i": {"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC"}}),
        ),
        ("mutation($id: ID!) { updateResource(id: $id, active: false) { id } }", json!({"id": clinician})),
        (
            "mutation($id: ID!) { addTimeOff(resourceId: $id, startsAt: \"2027-01-01T00:00:00Z\", endsAt: \"2027-01-02T00:00:00Z\", reason: \"x\") }",
            json!({"id": clinician}),
        ),
        (
            "mutation($id: ID!) { setDateOverride(resourceId: $id, date: \"2027-01-01\", windows: []) }",
            json!({"id": clinician}),
        ),
        (
            "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }",
            json!({"i": {"name": "X", "durationMinutes": 30, "requirements": [{"kind": "PERSON", "resourceIds": [clinician]}]}}),
        ),
        (
            "mutation($i: BookSeriesInput!) { bookAppointmentSeries(input: $i) { seriesId } }",
            json!({"i": {"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC", "rule": "FREQ=WEEKLY;COUNT=2"}}),
        ),
        (
            "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { id } }",
            json!({"i": {"serviceId": service, "from": day_at_ten(4), "to": day_at_ten(5), "timeZone": "UTC"}}),
        ),
        ("mutation($id: ID!) { leaveWaitlist(id: $id) { id } }", json!({"id": entry})),
        ("mutation($id: ID!) { removeClosure(id: $id) }", json!({"id": time_off})),
        ("mutation($id: ID!) { setServiceActive(id: $id, active: false) { id } }", json!({"id": service})),
        ("query($s: ID!) { waitlist(serviceId: $s) { edges { cursor } } }", json!({"s": service})),
        (
            "mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }",
            json!({"i": {"kind": "PERSON", "category": "c", "name": "X", "userId": clinic.user("clinician"), "timeZone": "UTC", "weeklyHours": []}}),
        ),
    ];
    for (q, v) in cases {
        let r = gql(q, v).await;
        assert_eq!(code(&r), "NOT_FOUND", "{q}: {r}");
    }
    // Booking in their own tenant for our patient.
    let r = gql(
        "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }",
        json!({"i": {"serviceId": service, "startsAt": day_at_ten(3), "timeZone": "UTC", "patientId": clinic.user("patient")}}),
    )
    .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    // Their lists are empty.
    let listed = data(
        gql(
            "{ appointments { edges { node { id } } } resources { edges { node { id } } } waitlist { edges { node { id } } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(
        listed,
        json!({"appointments": {"edges": []}, "resources": {"edges": []}, "waitlist": {"edges": []}})
    );
}

#[tokio::test]
async fn a_patient_sees_only_their_own_appointments_and_a_clinician_their_schedule() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let theirs = data(
        clinic
            .book("staff", json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC", "patientId": clinic.user("auditor")}))
            .await,
    );
    let id = theirs["bookAppointment"]["id"].as_str().expect("id").to_owned();
    let q = "query($id: ID!) { appointment(id: $id) { id } }";
    assert_eq!(code(&clinic.gql("patient", q, json!({"id": id})).await), "NOT_FOUND");
    let list = "{ appointments { edges { node { id } } } }";
    assert_eq!(clinic.ok("patient", list, json!({})).await["appointments"]["edges"], json!([]));
    // The clinician is one of its resources.
    assert_eq!(clinic.ok("clinician", q, json!({"id": id})).await["appointment"]["id"], id);
    let cancel = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"x\") { id } }";
    assert_eq!(code(&clinic.gql("patient", cancel, json!({"id": id})).await), "NOT_FOUND");

    // Through the federated User: one's own, or staff's view of anyone.
    let entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { appointments { edges { node { id } } } } } }";
    let rep = json!({"r": [{"__typename": "User", "id": clinic.user("auditor")}]});
    assert_eq!(code(&clinic.gql("patient", entities, rep.clone()).await), "FORBIDDEN");
    let staff = clinic.ok("staff", entities, rep).await;
    assert_eq!(staff["_entities"][0]["appointments"]["edges"][0]["node"]["id"], id);
}
