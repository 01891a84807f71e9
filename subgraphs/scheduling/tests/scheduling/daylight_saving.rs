//! Daylight-saving change days in two time zones: no start in the skipped
//! hour, each wall time of the repeated hour offered once, and nine
//! o'clock still nine o'clock.

use serde_json::json;

use super::support::Clinic;

/// Local starts offered by a 30-minute service needing a resource in
/// `tz` open 01:00–04:00 and 09:00–10:00 (00:00–03:00 and 09:00–10:00
/// where the change is at 01:00), between `from` and `to`.
async fn local_starts(
    clinic: &Clinic,
    category: &str,
    tz: &str,
    night: (&str, &str),
    (from, to): (&str, &str),
) -> Vec<String> {
    let hours: Vec<_> = (1..=7)
        .flat_map(|d| {
            [
                json!({"day": d, "start": night.0, "end": night.1}),
                json!({"day": d, "start": "09:00", "end": "10:00"}),
            ]
        })
        .collect();
    clinic.resource("PERSON", category, tz, tz, json!(hours)).await;
    let service = clinic
        .service(json!({"slotStepMinutes": 30}), json!([{"kind": "PERSON", "category": category}]))
        .await;
    let slots = clinic.slots("patient", &service, from, to, tz).await;
    slots.iter().map(|s| s["localStart"].as_str().expect("local").to_owned()).collect()
}

fn at(date: &str, times: &[&str], tz: &str) -> Vec<String> {
    times.iter().map(|t| format!("{date}T{t}[{tz}]")).collect()
}

#[tokio::test]
async fn new_york_spring_forward_has_no_start_in_the_skipped_hour() {
    let clinic = Clinic::start().await;
    let tz = "America/New_York";
    let got =
        local_starts(&clinic, "ny", tz, ("01:00", "04:00"), ("2027-03-14T04:00:00Z", "2027-03-15T04:00:00Z"))
            .await;
    let want = [
        "01:00:00-05:00",
        "01:30:00-05:00",
        "03:00:00-04:00",
        "03:30:00-04:00",
        "09:00:00-04:00",
        "09:30:00-04:00",
    ];
    assert_eq!(got, at("2027-03-14", &want, tz));
}

#[tokio::test]
async fn new_york_fall_back_offers_each_wall_time_of_the_repeated_hour_once() {
    let clinic = Clinic::start().await;
    let tz = "America/New_York";
    let got =
        local_starts(&clinic, "ny", tz, ("01:00", "04:00"), ("2027-11-07T04:00:00Z", "2027-11-08T05:00:00Z"))
            .await;
    let want = [
        "01:00:00-04:00",
        "01:30:00-04:00",
        "02:00:00-05:00",
        "02:30:00-05:00",
        "03:00:00-05:00",
        "03:30:00-05:00",
        "09:00:00-05:00",
        "09:30:00-05:00",
    ];
    assert_eq!(got, at("2027-11-07", &want, tz));
}

#[tokio::test]
async fn london_spring_forward_has_no_start_in_the_skipped_hour() {
    let clinic = Clinic::start().await;
    let tz = "Europe/London";
    let got =
        local_starts(&clinic, "uk", tz, ("00:00", "03:00"), ("2027-03-28T00:00:00Z", "2027-03-28T23:00:00Z"))
            .await;
    let want = [
        "00:00:00+00:00",
        "00:30:00+00:00",
        "02:00:00+01:00",
        "02:30:00+01:00",
        "09:00:00+01:00",
        "09:30:00+01:00",
    ];
    assert_eq!(got, at("2027-03-28", &want, tz));
}

#[tokio::test]
async fn london_fall_back_offers_each_wall_time_of_the_repeated_hour_once() {
    let clinic = Clinic::start().await;
    let tz = "Europe/London";
    let got =
        local_starts(&clinic, "uk", tz, ("00:00", "03:00"), ("2027-10-30T23:00:00Z", "2027-11-01T00:00:00Z"))
            .await;
    let want = [
        "00:00:00+01:00",
        "00:30:00+01:00",
        "01:00:00+01:00",
        "01:30:00+01:00",
        "02:00:00+00:00",
        "02:30:00+00:00",
        "09:00:00+00:00",
        "09:30:00+00:00",
    ];
    assert_eq!(got, at("2027-10-31", &want, tz));
}

#[tokio::test]
async fn a_slot_across_the_change_is_booked_for_its_real_length() {
    let clinic = Clinic::start().await;
    let tz = "America/New_York";
    clinic.resource("PERSON", "ny", "NY", tz, super::support::every_day("01:00", "04:00")).await;
    let service = clinic
        .service(
            json!({"durationMinutes": 60, "slotStepMinutes": 30}),
            json!([{"kind": "PERSON", "category": "ny"}]),
        )
        .await;
    // 01:30 EST + 60 minutes is 03:30 EDT.
    let booked = clinic
        .book("patient", json!({"serviceId": service, "startsAt": "2027-03-14T06:30:00Z", "timeZone": tz}))
        .await;
    let a = subgraph_kit::testkit::data(booked);
    assert_eq!(a["bookAppointment"]["localStart"], "2027-03-14T01:30:00-05:00[America/New_York]");
    let q = "query($id: ID!) { appointment(id: $id) { endsAt } }";
    let ends = clinic.ok("patient", q, json!({"id": a["bookAppointment"]["id"]})).await;
    assert!(
        ends["appointment"]["endsAt"].as_str().expect("end").starts_with("2027-03-14T07:30:00"),
        "{ends}"
    );
}
