//! The durable buses against the local Redis and NATS JetStream, the same
//! tests on each: fan-out to every replica, consumer groups that hand an
//! unacknowledged event to the restarted member or, once idle, to another
//! member, and subscribers that resume after the last event they saw.

use std::{sync::Arc, time::Duration};

use backbone_schema::EventEnvelope;
use futures::StreamExt;
use subgraph_kit::bus::{EventBus, NatsBus, RedisBus};
use uuid::Uuid;

/// A durable bus engine.
#[derive(Clone, Copy)]
enum Engine {
    Redis,
    Nats,
}

impl Engine {
    /// A bus on a stream of its own, which hands an unacknowledged event to
    /// another member after `idle`.
    async fn bus(self, stream: &str, idle: Duration) -> Arc<dyn EventBus> {
        match self {
            Self::Redis => Arc::new(
                RedisBus::connect(&redis_url(), stream).await.expect("redis bus").claim_idle_after(idle),
            ),
            Self::Nats => Arc::new(NatsBus::connect(&nats_url(), stream, idle).await.expect("nats bus")),
        }
    }

    /// Removes what the test left on the server.
    async fn clean(self, stream: &str) {
        match self {
            Self::Redis => {
                let client = redis::Client::open(redis_url()).expect("redis");
                let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
                let _: () = redis::cmd("DEL").arg(stream).query_async(&mut conn).await.expect("DEL");
            }
            Self::Nats => {
                let client = async_nats::connect(nats_url()).await.expect("nats");
                let _ = async_nats::jetstream::new(client).delete_stream(stream).await;
            }
        }
    }
}

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn nats_url() -> String {
    std::env::var("TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A stream name both engines accept.
fn stream_name() -> String {
    format!("bb-test-{}", Uuid::new_v4().simple())
}

/// Runs the test `$name(engine)` once per engine, as `$name::redis` and
/// `$name::nats`.
macro_rules! on_each_engine {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn redis() {
                super::$name(super::Engine::Redis).await
            }
            #[tokio::test]
            async fn nats() {
                super::$name(super::Engine::Nats).await
            }
        }
    )+};
}

on_each_engine!(
    every_replica_sees_every_event_once,
    an_unacknowledged_event_is_redelivered_to_the_restarted_member,
    an_event_a_dead_member_held_is_claimed_by_another_member,
    a_resumed_subscriber_gets_what_it_missed_then_live_events,
    a_batch_published_at_once_arrives_whole_and_in_order,
);

const IDLE: Duration = Duration::from_secs(30);

fn event(kind: &str) -> EventEnvelope {
    super::envelope(kind, serde_json::json!({"n": kind}))
}

async fn every_replica_sees_every_event_once(engine: Engine) {
    let stream = stream_name();
    let (a, b) = (engine.bus(&stream, IDLE).await, engine.bus(&stream, IDLE).await);
    let (mut on_a, mut on_b) = (a.subscribe(), b.subscribe());
    // The fan-out readers start at the stream's end; let them get there.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let e = event("one");
    a.publish(&e).await.expect("publish");
    a.publish(&e).await.expect("publish the same event again");
    b.publish(&event("two")).await.expect("publish");
    for sub in [&mut on_a, &mut on_b] {
        let first =
            tokio::time::timeout(Duration::from_secs(3), sub.next()).await.expect("in time").expect("event");
        assert_eq!(first.id, e.id);
        let second =
            tokio::time::timeout(Duration::from_secs(3), sub.next()).await.expect("in time").expect("event");
        assert_eq!(second.event_type, "two", "the republished duplicate was skipped");
    }
    engine.clean(&stream).await;
}

async fn next(
    s: &mut futures::stream::BoxStream<'static, subgraph_kit::bus::Delivery>,
) -> subgraph_kit::bus::Delivery {
    tokio::time::timeout(Duration::from_secs(3), s.next()).await.expect("in time").expect("delivery")
}

async fn an_unacknowledged_event_is_redelivered_to_the_restarted_member(engine: Engine) {
    let stream = stream_name();
    let bus = engine.bus(&stream, IDLE).await;
    let mut member = bus.consume("workers", "w1");
    // The group is created on the first read; publish once it waits.
    let publisher = {
        let bus = bus.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            bus.publish(&event("first")).await.expect("publish");
            bus.publish(&event("second")).await.expect("publish");
        })
    };
    let first = next(&mut member).await;
    assert_eq!(first.event.event_type, "first");
    first.ack().await;
    let second = next(&mut member).await;
    assert_eq!(second.event.event_type, "second");
    // The member dies before acknowledging the second event.
    drop(second);
    drop(member);
    publisher.await.expect("published");

    let mut restarted = bus.consume("workers", "w1");
    let again = next(&mut restarted).await;
    assert_eq!(again.event.event_type, "second", "redelivered after the restart");
    again.ack().await;
    drop(restarted);
    let mut after = bus.consume("workers", "w1");
    let nothing = tokio::time::timeout(Duration::from_millis(1500), after.next()).await;
    assert!(nothing.is_err(), "acknowledged events stay acknowledged");
    engine.clean(&stream).await;
}

/// A process killed with an event in hand comes back under a new member
/// name (a new pod, a new process id): another member claims the event
/// once it has been idle long enough, so it is never stranded.
async fn an_event_a_dead_member_held_is_claimed_by_another_member(engine: Engine) {
    let stream = stream_name();
    let bus = engine.bus(&stream, Duration::from_millis(300)).await;
    let mut dying = bus.consume("workers", "pod-a");
    let publisher = {
        let bus = bus.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            bus.publish(&event("held")).await.expect("publish");
        })
    };
    let held = next(&mut dying).await;
    assert_eq!(held.event.event_type, "held");
    // Killed, not stopped: a dead process gives nothing back.
    std::mem::forget(held);
    drop(dying);
    publisher.await.expect("published");

    let mut other = bus.consume("workers", "pod-b");
    let claimed = next(&mut other).await;
    assert_eq!(claimed.event.event_type, "held", "claimed from the dead member");
    claimed.ack().await;
    let nothing = tokio::time::timeout(Duration::from_millis(1500), other.next()).await;
    assert!(nothing.is_err(), "claimed and acknowledged: not handed out again");
    engine.clean(&stream).await;
}

/// A subscriber resuming after an event it saw gets what was published
/// since, then live events, each once.
async fn a_resumed_subscriber_gets_what_it_missed_then_live_events(engine: Engine) {
    let stream = stream_name();
    let bus = engine.bus(&stream, IDLE).await;
    let seen = event("seen");
    bus.publish(&seen).await.expect("publish");
    let missed = [event("missed-1"), event("missed-2")];
    for e in &missed {
        bus.publish(e).await.expect("publish");
    }
    let mut resumed = subgraph_kit::bus::subscribe_after(&bus, Some(seen.id));
    let mut got = Vec::new();
    for _ in 0..2 {
        let e = tokio::time::timeout(Duration::from_secs(3), resumed.next())
            .await
            .expect("in time")
            .expect("event");
        got.push(e.id);
    }
    assert_eq!(got, [missed[0].id, missed[1].id], "missed events in order, not the one seen");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let live = event("live");
    bus.publish(&live).await.expect("publish");
    let next =
        tokio::time::timeout(Duration::from_secs(3), resumed.next()).await.expect("in time").expect("event");
    assert_eq!(next.id, live.id, "then live, nothing twice");
    engine.clean(&stream).await;
}

/// What the outbox relay sends in one call (one pipeline on Redis, acks
/// awaited together on NATS) reaches a consumer group and a subscriber
/// whole, once each, in the order given.
async fn a_batch_published_at_once_arrives_whole_and_in_order(engine: Engine) {
    let stream = stream_name();
    let bus = engine.bus(&stream, IDLE).await;
    let mut group = bus.consume("relayed", "m1");
    let mut live = bus.subscribe();
    let batch: Vec<EventEnvelope> = (0..300).map(|i| event(&format!("e{i}"))).collect();
    // The group is created on its first read: publish once it waits.
    let publisher = {
        let (bus, batch) = (bus.clone(), batch.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            bus.publish_many(&batch).await.expect("published");
        })
    };
    for (i, sent) in batch.iter().enumerate() {
        let d = next(&mut group).await;
        assert_eq!(d.event.id, sent.id, "group: event {i} in order");
        assert_eq!(d.event.payload, sent.payload);
        d.ack().await;
        let seen =
            tokio::time::timeout(Duration::from_secs(3), live.next()).await.expect("in time").expect("event");
        assert_eq!(seen.id, sent.id, "subscriber: event {i} in order");
    }
    publisher.await.expect("publisher");
    let more = tokio::time::timeout(Duration::from_millis(500), group.next()).await;
    assert!(
        more.is_err(),
        "nothing more than the batch: {:?}",
        more.map(|d| d.map(|d| d.event.event_type.clone()))
    );
    engine.clean(&stream).await;
}
