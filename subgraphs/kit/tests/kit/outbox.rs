//! The outbox: rolled-back changes publish nothing; committed events reach
//! bus subscribers in order, once per relay pass.

use std::time::Duration;

use futures::StreamExt;
use sea_orm::TransactionTrait;
use serde_json::json;
use subgraph_kit::{outbox, testkit::TestApp};
use uuid::Uuid;

#[tokio::test]
async fn committed_events_are_relayed_in_order_and_rolled_back_ones_never() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let kit = &app.kit;
    let tenant = Uuid::now_v7();
    let mut events = kit.bus.subscribe();

    let txn = kit.db.begin().await.expect("begin");
    outbox::enqueue(&txn, tenant, None, "test.rolled_back", json!({"n": 0})).await.expect("enqueue");
    txn.rollback().await.expect("rollback");

    let txn = kit.db.begin().await.expect("begin");
    for n in 1..=3 {
        outbox::enqueue(&txn, tenant, None, "test.committed", json!({"n": n})).await.expect("enqueue");
    }
    subgraph_kit::db::commit(txn).await.expect("commit");
    assert_eq!(outbox::pending(&kit.db).await.expect("pending"), 3);

    let relay = kit.relay();
    assert_eq!(relay.relay_batch().await.expect("relay"), 3);
    assert_eq!(relay.relay_batch().await.expect("relay again"), 0, "published rows are not republished");
    assert_eq!(outbox::pending(&kit.db).await.expect("pending"), 0);

    let mut seen = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(200), events.next()).await {
        seen.push(event);
    }
    let ns: Vec<i64> = seen.iter().map(|e| e.payload["n"].as_i64().expect("n")).collect();
    assert_eq!(ns, [1, 2, 3]);
    assert!(seen.iter().all(|e| e.event_type == "test.committed" && e.tenant_id == tenant));
}

/// The commit itself wakes the relay: with a minute between polls, the
/// event still goes out at once, and nobody called a wake-up.
#[tokio::test]
async fn the_running_relay_publishes_as_soon_as_the_change_commits() {
    let app = TestApp::start_with(|c| c.outbox.poll_interval_ms = 60_000, |_| axum::Router::new())
        .await
        .expect("start");
    let kit = app.kit.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(kit.relay().run(async move {
        let _ = stop_rx.await;
    }));
    // Past its first (empty) pass, the relay sleeps for a minute.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut events = kit.bus.subscribe();
    let txn = kit.db.begin().await.expect("begin");
    let id = outbox::enqueue(&txn, Uuid::now_v7(), Some(Uuid::now_v7()), "test.live", json!({}))
        .await
        .expect("enqueue");
    subgraph_kit::db::commit(txn).await.expect("commit");
    let event =
        tokio::time::timeout(Duration::from_secs(2), events.next()).await.expect("in time").expect("event");
    assert_eq!(event.id, id);
    let _ = stop_tx.send(());
    relay.await.expect("relay stops on shutdown");
}

/// A bus that stores only the head of a batch (a JetStream stream that is
/// full and refuses new messages): the stored events are marked published,
/// the rest wait for the next pass, and the stream ends up holding every
/// event once, in order.
#[tokio::test]
async fn what_the_bus_did_not_take_waits_for_the_next_pass_in_order() {
    use async_nats::jetstream::{self, stream::DiscardPolicy};
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let kit = &app.kit;
    let url = std::env::var("TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let js = jetstream::new(async_nats::connect(&url).await.expect("nats"));
    let name = format!("bb-test-{}", Uuid::new_v4().simple());
    let full_after = |max_messages| jetstream::stream::Config {
        name: name.clone(),
        subjects: vec![format!("{name}.events")],
        max_messages,
        discard: DiscardPolicy::New,
        ..Default::default()
    };
    js.create_stream(full_after(5)).await.expect("stream");
    let bus = subgraph_kit::bus::NatsBus::connect(&url, &name, Duration::from_secs(30)).await.expect("bus");
    let relay = outbox::Relay::new(kit.db.clone(), std::sync::Arc::new(bus), kit.config.outbox.clone());

    let tenant = Uuid::now_v7();
    let txn = kit.db.begin().await.expect("begin");
    for n in 1..=8 {
        outbox::enqueue(&txn, tenant, None, "test.partial", json!({"n": n})).await.expect("enqueue");
    }
    subgraph_kit::db::commit(txn).await.expect("commit");

    assert_eq!(relay.relay_batch().await.expect("relay"), 5, "the stream took five");
    assert_eq!(outbox::pending(&kit.db).await.expect("pending"), 3);
    js.update_stream(full_after(100)).await.expect("room");
    assert_eq!(relay.relay_batch().await.expect("relay the rest"), 3);
    assert_eq!(outbox::pending(&kit.db).await.expect("pending"), 0);

    let mut stream = js.get_stream(&name).await.expect("stream");
    assert_eq!(stream.info().await.expect("info").state.messages, 8, "each event stored once");
    let mut ns = Vec::new();
    for seq in 1..=8 {
        let message = stream.get_raw_message(seq).await.expect("message");
        let event: backbone_schema::EventEnvelope = serde_json::from_slice(&message.payload).expect("event");
        ns.push(event.payload["n"].as_i64().expect("n"));
    }
    assert_eq!(ns, [1, 2, 3, 4, 5, 6, 7, 8]);
    let _ = js.delete_stream(&name).await;
}

/// Published events leave the outbox once older than
/// `outbox.retain_published_seconds`; events not yet published stay
/// whatever their age (the outbox would otherwise grow without end, and
/// every erasure scans it).
#[tokio::test]
async fn published_events_are_swept_after_their_retention_and_pending_ones_never() {
    let app = TestApp::start_with(|c| c.outbox.retain_published_seconds = 0, |_| axum::Router::new())
        .await
        .expect("start");
    let kit = &app.kit;
    let tenant = Uuid::now_v7();
    let txn = kit.db.begin().await.expect("begin");
    for n in 0..3 {
        outbox::enqueue(&txn, tenant, None, "test.old", json!({"n": n})).await.expect("enqueue");
    }
    subgraph_kit::db::commit(txn).await.expect("commit");
    let relay = kit.relay();
    assert_eq!(relay.relay_batch().await.expect("relay"), 3);
    // Committed after the relay's pass: not published yet.
    let txn = kit.db.begin().await.expect("begin");
    let waiting = outbox::enqueue(&txn, tenant, None, "test.waiting", json!({})).await.expect("enqueue");
    subgraph_kit::db::commit(txn).await.expect("commit");
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(
        relay.sweep().await.expect("sweep"),
        3,
        "the three published events are past a retention of 0 s"
    );
    assert_eq!(relay.sweep().await.expect("sweep again"), 0);
    let left = outbox_ids(&kit.db).await;
    assert_eq!(left, [waiting], "the unpublished event stays");

    // With a day's retention (the default), a published event stays.
    let keeping = subgraph_kit::outbox::Relay::new(
        kit.db.clone(),
        kit.bus.clone(),
        subgraph_kit::config::OutboxConfig::default(),
    );
    assert_eq!(keeping.relay_batch().await.expect("relay"), 1);
    assert_eq!(keeping.sweep().await.expect("sweep"), 0);
    assert_eq!(outbox_ids(&kit.db).await, [waiting]);
}

/// The running relay sweeps on its own: events published before it
/// started are gone after its first pass.
#[tokio::test]
async fn the_running_relay_sweeps_published_events() {
    let app = TestApp::start_with(|c| c.outbox.retain_published_seconds = 0, |_| axum::Router::new())
        .await
        .expect("start");
    let kit = app.kit.clone();
    let txn = kit.db.begin().await.expect("begin");
    outbox::enqueue(&txn, Uuid::now_v7(), None, "test.old", json!({})).await.expect("enqueue");
    subgraph_kit::db::commit(txn).await.expect("commit");
    assert_eq!(kit.relay().relay_batch().await.expect("relay"), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(kit.relay().run(async move {
        let _ = stop_rx.await;
    }));
    let mut left = outbox_ids(&kit.db).await;
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = outbox_ids(&kit.db).await;
    }
    assert!(left.is_empty(), "published rows still there: {left:?}");
    let _ = stop_tx.send(());
    relay.await.expect("relay stops on shutdown");
}

async fn outbox_ids(db: &sea_orm::DatabaseConnection) -> Vec<Uuid> {
    use sea_orm::EntityTrait;
    backbone_entities::platform::outbox::Entity::find()
        .all(db)
        .await
        .expect("outbox rows")
        .into_iter()
        .map(|row| row.id)
        .collect()
}
