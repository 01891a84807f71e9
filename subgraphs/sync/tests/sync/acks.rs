//! Per-event acknowledgements: partial success, duplicates within and
//! across batches, and the same batch sent twice at once.

use serde_json::json;
use uuid::Uuid;

use crate::support::{Field, acks, event, vitals};

#[tokio::test]
async fn a_batch_of_valid_invalid_and_duplicate_events_gets_one_ack_each() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let patient = f.user("patient");
    f.assign(f.user("clinician"), patient).await;
    let stranger = f.user("staff");
    let batch = vec![
        vitals(&device, "v-1", patient, 72),
        vitals(&device, "v-2", patient, 900),
        event(&device, "v-3", "weather.observed", chrono::Utc::now(), json!({})),
        vitals(&device, "v-1", patient, 72),
        vitals(&Uuid::now_v7().to_string(), "v-4", patient, 80),
        vitals(&device, "v-5", stranger, 70),
        vitals(&device, "bad id with spaces", patient, 70),
        vitals(&device, "v-6", patient, 64),
    ];
    let first = f.sync("clinician", batch.clone()).await;
    let by_id = acks(&first);
    assert_eq!(first["acks"].as_array().map(Vec::len), Some(8), "{first}");
    assert_eq!(
        (first["accepted"].as_i64(), first["duplicates"].as_i64(), first["rejected"].as_i64()),
        (Some(2), Some(1), Some(5)),
        "{first}"
    );

    let accepted = &by_id["v-1"];
    assert_eq!(accepted["status"], "ACCEPTED");
    assert!(accepted["eventId"].is_string() && accepted["serverTime"].is_string(), "{accepted}");
    assert_eq!(by_id["v-6"]["status"], "ACCEPTED");
    let copy = &first["acks"][3];
    assert_eq!(
        (copy["status"].as_str(), &copy["eventId"]),
        (Some("DUPLICATE"), &accepted["eventId"]),
        "{copy}"
    );

    for (id, reason) in [
        ("v-2", "SCHEMA_INVALID"),
        ("v-3", "UNKNOWN_TYPE"),
        ("v-4", "DEVICE_NOT_ENROLLED"),
        ("v-5", "SUBJECT_NOT_ASSIGNED"),
    ] {
        let ack = &by_id[id];
        assert_eq!(
            (ack["status"].as_str(), ack["code"].as_str(), ack["reason"].as_str()),
            (Some("REJECTED"), Some("BAD_USER_INPUT"), Some(reason)),
            "{id}: {ack}"
        );
        assert!(ack["quarantineId"].is_string(), "{id} is held: {ack}");
        assert!(ack["eventId"].is_null(), "{ack}");
    }
    assert!(by_id["v-2"]["message"].as_str().is_some_and(|m| m.contains("/pulse")), "{}", by_id["v-2"]);
    let malformed = &by_id["bad id with spaces"];
    assert_eq!(
        (malformed["reason"].as_str(), &malformed["quarantineId"]),
        (Some("INVALID_EVENT"), &json!(null)),
        "{malformed}"
    );
    assert_eq!((f.count("sync_events").await, f.count("sync_quarantine").await), (2, 4));

    // The whole batch again: nothing new is stored; each answer points at
    // what the first one stored or held.
    let again = f.sync("clinician", batch).await;
    let again_by_id = acks(&again);
    assert_eq!((again["accepted"].as_i64(), again["duplicates"].as_i64()), (Some(0), Some(3)), "{again}");
    for id in ["v-1", "v-6"] {
        assert_eq!(again_by_id[id]["status"], "DUPLICATE");
        assert_eq!(again_by_id[id]["eventId"], by_id[id]["eventId"]);
        assert_eq!(again_by_id[id]["serverTime"], by_id[id]["serverTime"]);
    }
    for id in ["v-2", "v-3", "v-4", "v-5"] {
        assert_eq!(again_by_id[id]["quarantineId"], by_id[id]["quarantineId"], "{id}");
        assert_eq!(again_by_id[id]["reason"], by_id[id]["reason"], "{id}");
    }
    assert_eq!((f.count("sync_events").await, f.count("sync_quarantine").await), (2, 4));
    assert_eq!(f.count("outbox WHERE event_type = 'sync.vitals.recorded'").await, 2);
}

#[tokio::test]
async fn the_same_batch_sent_twice_at_once_is_accepted_once() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let patient = f.user("patient");
    f.assign(f.user("clinician"), patient).await;
    let batch: Vec<_> = (0..50).map(|i| vitals(&device, &format!("c-{i}"), patient, 60 + i)).collect();
    // Two connections, one request each, at the same time.
    let (a, b) = (f.app.http.clone(), reqwest::Client::new());
    let send = |client: reqwest::Client| {
        let body = json!({"query": crate::support::BATCH, "variables": {"b": {"events": batch.clone()}}});
        let (url, token) = (f.app.url(), f.token("clinician"));
        async move {
            client.post(url).bearer_auth(token).json(&body).send().await?.json::<serde_json::Value>().await
        }
    };
    let (one, two) = tokio::join!(send(a), send(b));
    let (one, two) = (one.expect("first"), two.expect("second"));
    let (one, two) = (&one["data"]["syncEvents"], &two["data"]["syncEvents"]);
    assert_eq!(
        one["accepted"].as_i64().unwrap_or(0) + two["accepted"].as_i64().unwrap_or(0),
        50,
        "{one} {two}"
    );
    assert_eq!(
        one["duplicates"].as_i64().unwrap_or(0) + two["duplicates"].as_i64().unwrap_or(0),
        50,
        "{one} {two}"
    );
    let (one, two) = (acks(one), acks(two));
    for (id, ack) in &one {
        assert_eq!(ack["eventId"], two[id]["eventId"], "{id}: both answers name the one stored event");
    }
    assert_eq!(f.count("sync_events").await, 50);
    assert_eq!(f.count("outbox WHERE event_type = 'sync.vitals.recorded'").await, 50);
}

#[tokio::test]
async fn a_batch_over_the_limit_is_refused_whole_and_bad_times_are_rejected() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let me = f.user("clinician");
    let too_many: Vec<_> = (0..501).map(|i| vitals(&device, &format!("x-{i}"), me, 70)).collect();
    let answer = f.send("clinician", too_many).await;
    assert_eq!(answer["errors"][0]["extensions"]["reason"], "BATCH_TOO_LARGE", "{answer}");
    assert_eq!(f.count("sync_events").await, 0);

    let future = chrono::Utc::now() + chrono::Duration::hours(2);
    let result = f
        .sync(
            "clinician",
            vec![event(&device, "f-1", "vitals.recorded", future, json!({"patientId": me, "pulse": 70}))],
        )
        .await;
    assert_eq!(result["acks"][0]["reason"], "CLIENT_TIME_IN_FUTURE", "{result}");

    // A device whose clock runs two hours ahead says so in `sentAt`: its
    // events are accepted, and the skew is recorded.
    let q = crate::support::BATCH;
    let batch = json!({"sentAt": future.to_rfc3339(), "events": [event(&device, "f-2", "vitals.recorded", future, json!({"patientId": me, "pulse": 70}))]});
    let skewed =
        subgraph_kit::testkit::data(f.gql("clinician", q, json!({"b": batch})).await)["syncEvents"].clone();
    assert_eq!(skewed["acks"][0]["status"], "ACCEPTED", "{skewed}");
    let skew = skewed["clockSkewMs"].as_i64().expect("skew");
    assert!((7_190_000..=7_200_000).contains(&skew), "{skew}");
    let devices = f.ok("clinician", "{ syncDevices { id clockSkewMs } }", json!({})).await;
    assert_eq!(devices["syncDevices"][0]["clockSkewMs"], skew);
}

#[tokio::test]
async fn a_device_over_its_batches_per_minute_is_refused_and_its_neighbour_is_not() {
    let f = Field::start_with(|s| s.device_batches_per_minute = 2).await;
    let device = f.device("clinician").await;
    let other = f.device("clinician").await;
    let me = f.user("clinician");
    for i in 0..2 {
        let ok = f.sync("clinician", vec![vitals(&device, &format!("l-{i}"), me, 70)]).await;
        assert_eq!(ok["acks"][0]["status"], "ACCEPTED", "{ok}");
    }
    let third =
        f.sync("clinician", vec![vitals(&device, "l-2", me, 70), vitals(&other, "o-1", me, 70)]).await;
    let by_id = acks(&third);
    assert_eq!(
        (by_id["l-2"]["code"].as_str(), by_id["l-2"]["reason"].as_str()),
        (Some("RATE_LIMITED"), Some("DEVICE_RATE_LIMITED")),
        "{third}"
    );
    assert!(by_id["l-2"]["quarantineId"].is_null(), "a limited event is not held: the device sends it again");
    assert_eq!(by_id["o-1"]["status"], "ACCEPTED", "another device has its own window: {third}");
    assert_eq!(f.count("sync_events").await, 3);
    assert_eq!(f.count("sync_quarantine").await, 0);
}
