//! Recurring series: occurrences keep their wall-clock time across a
//! daylight-saving change, a conflicting occurrence books nothing (all or
//! nothing) or is reported (book what is free), excepted dates are left
//! out, a retried request is answered once and bad rules are refused.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use serde_json::{Value, json};
use subgraph_kit::testkit::data;

use super::support::{Clinic, code};

const SERIES: &str = "mutation($i: BookSeriesInput!) { bookAppointmentSeries(input: $i) {
    seriesId booked { id status startsAt localStart seriesId } conflicts { startsAt localStart reason message } } }";

/// 09:00 in Toronto on the Monday 13 days before next year's autumn
/// change (the first Sunday of November): weekly, two occurrences fall
/// before the change and two after.
fn monday_before_fall_back() -> (NaiveDate, String) {
    let year = Utc::now().year() + 1;
    let mut change = NaiveDate::from_ymd_opt(year, 11, 1).expect("date");
    while change.weekday() != Weekday::Sun {
        change += Duration::days(1);
    }
    let monday = change - Duration::days(13);
    (monday, format!("{monday}T13:00:00Z"))
}

async fn series(clinic: &Clinic, role: &str, input: Value) -> Value {
    clinic.gql(role, SERIES, json!({"i": input})).await
}

async fn count_appointments(clinic: &Clinic) -> usize {
    let q = "{ appointments(first: 100) { edges { node { id } } } }";
    clinic.ok("staff", q, json!({})).await["appointments"]["edges"].as_array().expect("edges").len()
}

#[tokio::test]
async fn a_weekly_series_keeps_its_local_time_across_the_autumn_change() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let (_, first) = monday_before_fall_back();
    let input = json!({"serviceId": service, "startsAt": first, "timeZone": "America/Toronto", "rule": "FREQ=WEEKLY;COUNT=4"});
    let out = data(series(&clinic, "patient", input).await);
    let s = &out["bookAppointmentSeries"];
    let booked = s["booked"].as_array().expect("booked");
    assert_eq!(booked.len(), 4, "{s}");
    assert!(s["conflicts"].as_array().expect("conflicts").is_empty());
    for b in booked {
        assert!(b["localStart"].as_str().expect("local").contains("T09:00:00"), "{b}");
        assert_eq!(b["seriesId"], s["seriesId"]);
        assert_eq!(b["status"], "SCHEDULED");
    }
    let utc_hours: Vec<&str> =
        booked.iter().map(|b| &b["startsAt"].as_str().expect("start")[11..13]).collect();
    assert_eq!(utc_hours, ["13", "13", "14", "14"], "EDT then EST");
}

#[tokio::test]
async fn one_conflicting_occurrence_books_nothing_or_is_reported_as_the_caller_chose() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let (monday, first) = monday_before_fall_back();
    // Someone else already has the third Monday.
    let third = format!("{}T14:00:00+00:00", monday + Duration::days(14));
    let other = json!({"serviceId": service, "startsAt": third, "timeZone": "UTC", "patientId": clinic.user("auditor")});
    data(clinic.book("staff", other).await);

    let mut input = json!({"serviceId": service, "startsAt": first, "timeZone": "America/Toronto", "rule": "RRULE:FREQ=WEEKLY;COUNT=4"});
    let out = data(series(&clinic, "patient", input.clone()).await);
    let s = &out["bookAppointmentSeries"];
    assert!(s["seriesId"].is_null(), "all or nothing books nothing: {s}");
    assert!(s["booked"].as_array().expect("booked").is_empty());
    let conflicts = s["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{s}");
    assert_eq!(conflicts[0]["reason"], "SLOT_TAKEN");
    assert_eq!(conflicts[0]["startsAt"], third);
    assert!(conflicts[0]["localStart"].as_str().expect("local").contains("T09:00:00-05:00"), "{s}");
    assert_eq!(count_appointments(&clinic).await, 1, "nothing was written");

    input["mode"] = json!("BOOK_AVAILABLE");
    input["idempotencyKey"] = json!("series-1");
    let out = data(series(&clinic, "patient", input.clone()).await);
    let s = out["bookAppointmentSeries"].clone();
    assert!(s["seriesId"].is_string(), "{s}");
    assert_eq!(s["booked"].as_array().expect("booked").len(), 3);
    assert_eq!(s["conflicts"][0]["startsAt"], third);
    assert_eq!(count_appointments(&clinic).await, 4);

    // A retry answers the same, and books nothing more.
    let again = data(series(&clinic, "patient", input).await);
    assert_eq!(again["bookAppointmentSeries"]["seriesId"], s["seriesId"]);
    assert_eq!(again["bookAppointmentSeries"]["booked"], s["booked"]);
    assert_eq!(again["bookAppointmentSeries"]["conflicts"][0]["reason"], "SLOT_TAKEN");
    assert_eq!(count_appointments(&clinic).await, 4);
}

#[tokio::test]
async fn excepted_dates_are_left_out_of_a_series() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let (monday, first) = monday_before_fall_back();
    let skip = monday + Duration::days(7);
    let input = json!({"serviceId": service, "startsAt": first, "timeZone": "America/Toronto",
        "rule": "FREQ=WEEKLY;INTERVAL=1;COUNT=3", "exceptDates": [skip.to_string()]});
    let out = data(series(&clinic, "patient", input).await);
    let starts: Vec<String> = out["bookAppointmentSeries"]["booked"]
        .as_array()
        .expect("booked")
        .iter()
        .map(|b| b["startsAt"].as_str().expect("start")[..10].to_owned())
        .collect();
    assert_eq!(starts, [monday.to_string(), (monday + Duration::days(14)).to_string()]);
}

#[tokio::test]
async fn bad_rules_are_refused_with_the_field_named() {
    let clinic = Clinic::start().await;
    let (_, _, service) = clinic.clinician_and_room().await;
    let (_, first) = monday_before_fall_back();
    for (rule, zone) in [
        ("FREQ=WEEKLY", "UTC"),
        ("FREQ=HOURLY;COUNT=3", "UTC"),
        ("FREQ=DAILY;COUNT=500", "UTC"),
        ("not a rule", "UTC"),
        ("FREQ=WEEKLY;COUNT=2\nRRULE:FREQ=DAILY;COUNT=2", "UTC"),
        ("FREQ=WEEKLY;COUNT=2", "Mars/Olympus"),
    ] {
        let input = json!({"serviceId": service, "startsAt": first, "timeZone": zone, "rule": rule});
        let r = series(&clinic, "patient", input).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{rule} in {zone}: {r}");
    }
    assert_eq!(count_appointments(&clinic).await, 0);
}
