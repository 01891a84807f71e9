//! The relay killed and restarted while events flow, and an outbox whose
//! rows were published but never marked (a relay that died in between):
//! every notification lands in the inbox exactly once, and live
//! subscribers see each once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use backbone::dev::DevOptions;
use backbone_entities::{notifications::notification, platform::outbox};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use subgraph_kit::Kit;

use super::scene::{Scene, eventually, fast, nats_url, redis_url};

const COMPLAINTS: usize = 12;

#[tokio::test]
async fn a_relay_killed_mid_flow_loses_nothing_and_duplicates_nothing_in_process() {
    killed_relay(Scene::start_with(fast, DevOptions { relay: false }).await).await;
}

/// Over Redis, republished rows become new stream entries: the consumer
/// group sees each event again and the idempotent consumer drops it.
#[tokio::test]
async fn a_relay_killed_mid_flow_loses_nothing_and_duplicates_nothing_over_redis() {
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    let adjust = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        c.redis_url = Some(redis_url());
        c.redis_stream = stream.clone();
    };
    let scene = Scene::start_with(adjust, DevOptions { relay: false }).await;
    let db = scene.graph.kit.db.clone();
    let reset = killed_relay(scene).await;
    // Every row went through the stream, and every reset row once more.
    let rows = outbox::Entity::find().count(&db).await.expect("rows");
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let entries: u64 = redis::cmd("XLEN").arg(&stream).query_async(&mut conn).await.expect("XLEN");
    assert!(entries >= rows + reset, "{entries} stream entries for {rows} events, {reset} published twice");
    let _: () = redis::cmd("DEL").arg(&stream).query_async(&mut conn).await.expect("DEL");
}

/// Over NATS JetStream, a republished row carries the event id the server
/// saw already (`Nats-Msg-Id`): the stream holds each event exactly once.
#[tokio::test]
async fn a_relay_killed_mid_flow_loses_nothing_and_duplicates_nothing_over_nats() {
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    let adjust = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        c.nats_url = Some(nats_url());
        c.nats_stream = stream.clone();
    };
    let scene = Scene::start_with(adjust, DevOptions { relay: false }).await;
    let db = scene.graph.kit.db.clone();
    let reset = killed_relay(scene).await;
    assert!(reset > 0, "the scenario republished rows");
    let rows = outbox::Entity::find().count(&db).await.expect("rows");
    let js = async_nats::jetstream::new(async_nats::connect(nats_url()).await.expect("nats"));
    let mut held = js.get_stream(&stream).await.expect("stream");
    let messages = held.info().await.expect("info").state.messages;
    assert_eq!(messages, rows, "{messages} messages for {rows} events, {reset} of them published twice");
    let _ = js.delete_stream(&stream).await;
}

/// A relay killed at random moments and restarted, over and over, until
/// `stop`; the task answers how many times it was killed.
pub(crate) fn relay_killed_until(kit: &Kit, stop: &Arc<AtomicBool>) -> tokio::task::JoinHandle<u32> {
    let (kit, stop) = (kit.clone(), stop.clone());
    tokio::spawn(async move {
        let mut kills = 0u32;
        while !stop.load(Ordering::Relaxed) {
            let relay = tokio::spawn(kit.relay().run(std::future::pending()));
            tokio::time::sleep(Duration::from_millis(5 + u64::from(kills % 7) * 9)).await;
            relay.abort();
            let _ = relay.await;
            kills += 1;
        }
        kills
    })
}

/// Runs the scenario; returns how many outbox rows were published again.
async fn killed_relay(scene: Scene) -> u64 {
    let kit = scene.graph.kit.clone();
    scene.team("Front desk", &["staff"], Some("billing")).await;

    let mut inbox = scene.ws(Some("patient"), "graphql-transport-ws").await;
    inbox
        .subscribe("n", "subscription { notificationReceived { id title } }", json!({}))
        .await
        .expect("subscribe");
    // The push side must be listening before the first event exists.
    eventually(Duration::from_secs(5), "inbox feed open", || async {
        scene.graph.realtime.feeds.open() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let chaos = relay_killed_until(&kit, &stop);
    for _ in 0..COMPLAINTS {
        let id = scene.file("patient", "billing", "NORMAL").await;
        for status in ["ACKNOWLEDGED", "IN_PROGRESS"] {
            let changed = scene.set_status("staff", &id, status).await;
            assert!(changed.get("errors").is_none(), "{changed}");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let kills = chaos.await.expect("chaos");
    assert!(kills > 3, "the relay was killed {kills} times");

    // Now the worst case: every row published but not marked, as if the
    // relay died after each publish. A fresh relay publishes all again.
    let reset = outbox::Entity::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
        // Only rows already published: rows still pending when the chaos
        // stopped are published once, not "again".
        .filter(outbox::Column::PublishedAt.is_not_null())
        .exec(&kit.db)
        .await
        .expect("reset outbox");
    assert!(reset.rows_affected > 0);
    let relay = tokio::spawn(kit.relay().run(std::future::pending()));

    let expected_patient = (COMPLAINTS * 2) as u64;
    let count = |user: uuid::Uuid| {
        let db = kit.db.clone();
        async move {
            notification::Entity::find()
                .filter(notification::Column::UserId.eq(user))
                .count(&db)
                .await
                .expect("count")
        }
    };
    eventually(Duration::from_secs(20), "outbox drained and inbox filled", || async {
        subgraph_kit::outbox::pending(&kit.db).await.expect("pending") == 0
            && count(scene.user("patient")).await == expected_patient
            && count(scene.user("staff")).await == COMPLAINTS as u64
    })
    .await;
    // Give redelivered duplicates time to (not) land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(scene.user("patient")).await, expected_patient);
    assert_eq!(count(scene.user("staff")).await, COMPLAINTS as u64);
    let rows = notification::Entity::find().all(&kit.db).await.expect("rows");
    let mut sources: Vec<_> = rows.iter().map(|n| (n.user_id, n.source_event_id)).collect();
    sources.sort();
    sources.dedup();
    assert_eq!(sources.len(), rows.len(), "one notification per event and user");

    // The live subscriber saw each of the patient's notifications once.
    let mut pushed = std::collections::HashSet::new();
    while let Ok(m) = inbox.next(Duration::from_millis(700)).await {
        let id = m["payload"]["data"]["notificationReceived"]["id"].as_str().expect("id").to_owned();
        assert!(pushed.insert(id.clone()), "pushed twice: {id}");
    }
    assert_eq!(pushed.len() as u64, expected_patient);
    relay.abort();
    reset.rows_affected
}
