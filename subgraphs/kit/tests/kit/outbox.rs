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
