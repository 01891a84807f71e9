//! A consumer group whose handler always fails on one event parks that
//! event (with why) after its retries and goes on with the next ones,
//! instead of retrying it forever while everything behind it waits; a
//! batch consumer does the same for the one event that spoils a batch.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use backbone_schema::EventEnvelope;
use sea_orm::EntityTrait;
use serde_json::json;
use subgraph_kit::{
    ApiError,
    bus::consumer::{self, Retry},
    testkit::TestApp,
};

fn event(kind: &str, n: i64) -> EventEnvelope {
    super::envelope(kind, json!({"n": n}))
}

#[tokio::test]
async fn a_poison_event_is_parked_and_the_events_after_it_are_handled() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let kit = app.kit.clone();
    let handled = Arc::new(Mutex::new(Vec::new()));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let seen = handled.clone();
    let retry = Retry {
        attempts: 3,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    };
    let worker = tokio::spawn(async move {
        consumer::run_with(
            &kit,
            "test-group",
            "member-1",
            retry,
            async {
                let _ = stop_rx.await;
            },
            |e| {
                let seen = seen.clone();
                async move {
                    if e.event_type == "test.poison" {
                        return Err(ApiError::bad_input("payload", "this event can never be handled"));
                    }
                    seen.lock().expect("lock").push(e.payload["n"].as_i64().unwrap_or_default());
                    Ok(())
                }
            },
        )
        .await;
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let poison = event("test.poison", 0);
    for e in [event("test.ok", 1), poison.clone(), event("test.ok", 2)] {
        app.kit.bus.publish(&e).await.expect("publish");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while handled.lock().expect("lock").len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*handled.lock().expect("lock"), [1, 2], "the event after the poison one is handled");
    let parked =
        backbone_entities::platform::dead_event::Entity::find().all(&app.kit.db).await.expect("rows");
    assert_eq!(parked.len(), 1);
    let p = &parked[0];
    assert_eq!(
        (p.consumer.as_str(), p.event_id, p.event_type.as_str()),
        ("test-group", poison.id, "test.poison")
    );
    assert_eq!(p.attempts, 3);
    assert!(p.error.contains("can never be handled"), "{}", p.error);
    assert_eq!(p.tenant_id, poison.tenant_id);
    let _ = stop_tx.send(());
    worker.await.expect("worker");
}

/// A batch handler sees the events waiting together; when a batch fails
/// (all or nothing), its events are handled again one by one, so the good
/// ones are handled and only the poison one is parked.
#[tokio::test]
async fn a_failed_batch_is_handled_event_by_event_and_only_its_poison_event_is_parked() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let kit = app.kit.clone();
    let handled = Arc::new(Mutex::new(Vec::new()));
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (seen, batch_sizes) = (handled.clone(), sizes.clone());
    let retry =
        Retry { attempts: 2, first_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(5) };
    let worker = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        consumer::run_batches(&kit, "batch-group", "member-1", 100, retry, stop, |events| {
            let (seen, batch_sizes) = (seen.clone(), batch_sizes.clone());
            async move {
                batch_sizes.lock().expect("lock").push(events.len());
                if events.iter().any(|e| e.event_type == "test.poison") {
                    return Err(ApiError::bad_input("payload", "poison in the batch"));
                }
                let mut seen = seen.lock().expect("lock");
                seen.extend(events.iter().map(|e| e.payload["n"].as_i64().unwrap_or_default()));
                Ok(())
            }
        })
        .await;
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let poison = event("test.poison", 0);
    let mut events: Vec<_> = (1..=9).map(|n| event("test.ok", n)).collect();
    events.insert(4, poison.clone());
    for e in &events {
        app.kit.bus.publish(e).await.expect("publish");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while handled.lock().expect("lock").len() < 9 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut got = handled.lock().expect("lock").clone();
    got.sort_unstable();
    assert_eq!(got, (1..=9).collect::<Vec<_>>(), "every good event handled exactly once");
    assert!(sizes.lock().expect("lock").iter().any(|&n| n > 1), "events waiting together form a batch");
    let parked =
        backbone_entities::platform::dead_event::Entity::find().all(&app.kit.db).await.expect("rows");
    assert_eq!(parked.iter().map(|p| p.event_id).collect::<Vec<_>>(), [poison.id]);
    assert_eq!(parked[0].attempts, 2);
    let _ = stop_tx.send(());
    worker.await.expect("worker");
}
