//! The Redis bus against the local Redis: fan-out to every replica, and
//! consumer groups that hand an unacknowledged event to the restarted
//! member.

use std::{sync::Arc, time::Duration};

use backbone_schema::EventEnvelope;
use futures::StreamExt;
use subgraph_kit::bus::{EventBus, RedisBus};
use uuid::Uuid;

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn event(kind: &str) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        event_type: kind.into(),
        tenant_id: Uuid::now_v7(),
        occurred_at: chrono::Utc::now(),
        actor: None,
        payload: serde_json::json!({"n": kind}),
    }
}

async fn drop_stream(stream: &str) {
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let _: () = redis::cmd("DEL").arg(stream).query_async(&mut conn).await.expect("DEL");
}

#[tokio::test]
async fn every_replica_sees_every_event_once() {
    let stream = format!("bb-test-{}", Uuid::new_v4().simple());
    let (a, b) = (
        Arc::new(RedisBus::connect(&redis_url(), &stream).await.expect("bus a")),
        Arc::new(RedisBus::connect(&redis_url(), &stream).await.expect("bus b")),
    );
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
    drop_stream(&stream).await;
}

async fn next(
    s: &mut futures::stream::BoxStream<'static, subgraph_kit::bus::Delivery>,
) -> subgraph_kit::bus::Delivery {
    tokio::time::timeout(Duration::from_secs(3), s.next()).await.expect("in time").expect("delivery")
}

#[tokio::test]
async fn an_unacknowledged_event_is_redelivered_to_the_restarted_member() {
    let stream = format!("bb-test-{}", Uuid::new_v4().simple());
    let bus = Arc::new(RedisBus::connect(&redis_url(), &stream).await.expect("bus"));
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
    drop_stream(&stream).await;
}

/// A process killed with an event in hand comes back under a new member
/// name (a new pod, a new process id): another member claims the event
/// once it has been idle long enough, so it is never stranded.
#[tokio::test]
async fn an_event_a_dead_member_held_is_claimed_by_another_member() {
    let stream = format!("bb-test-{}", Uuid::new_v4().simple());
    let bus = Arc::new(
        RedisBus::connect(&redis_url(), &stream)
            .await
            .expect("bus")
            .claim_idle_after(Duration::from_millis(300)),
    );
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
    drop(held);
    drop(dying);
    publisher.await.expect("published");

    let mut other = bus.consume("workers", "pod-b");
    let claimed = next(&mut other).await;
    assert_eq!(claimed.event.event_type, "held", "claimed from the dead member");
    claimed.ack().await;
    let nothing = tokio::time::timeout(Duration::from_millis(1500), other.next()).await;
    assert!(nothing.is_err(), "claimed and acknowledged: not handed out again");
    drop_stream(&stream).await;
}

/// A subscriber resuming after an event it saw gets what was published
/// since, then live events, each once.
#[tokio::test]
async fn a_resumed_subscriber_gets_what_it_missed_then_live_events() {
    let stream = format!("bb-test-{}", Uuid::new_v4().simple());
    let bus: Arc<dyn EventBus> = Arc::new(RedisBus::connect(&redis_url(), &stream).await.expect("bus"));
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
    drop_stream(&stream).await;
}
