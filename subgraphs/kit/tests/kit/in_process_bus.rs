//! The in-process bus's consumer groups are queues: a member that reads
//! nothing for a while still gets every event (live subscribers of the
//! same bus may skip), and the members of one group share the events,
//! each to exactly one.

use std::collections::HashSet;

use backbone_schema::EventEnvelope;
use futures::StreamExt;
use serde_json::json;
use subgraph_kit::bus::{EventBus, InProcessBus};
use uuid::Uuid;

fn event(n: i64) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        event_type: "test.counted".into(),
        tenant_id: Uuid::now_v7(),
        occurred_at: chrono::Utc::now(),
        actor: None,
        payload: json!({"n": n}),
    }
}

#[tokio::test]
async fn a_consumer_group_that_falls_behind_loses_nothing_and_members_share_the_events() {
    // Live subscribers keep 64 events; the group members keep everything.
    let bus = InProcessBus::new(64);
    let mut one = bus.consume("metering", "m1");
    let mut two = bus.consume("metering", "m2");
    let mut other_group = bus.consume("reminders", "r1");
    for n in 0..3_000 {
        bus.publish(&event(n)).await.expect("publish");
    }
    let mut seen = HashSet::new();
    let (mut by_one, mut by_two) = (0, 0);
    for _ in 0..1_500 {
        let a = one.next().await.expect("m1");
        let b = two.next().await.expect("m2");
        assert!(seen.insert(a.event.payload["n"].as_i64().expect("n")), "an event went to both members");
        assert!(seen.insert(b.event.payload["n"].as_i64().expect("n")), "an event went to both members");
        by_one += 1;
        by_two += 1;
    }
    assert_eq!((seen.len(), by_one, by_two), (3_000, 1_500, 1_500));
    let mut all = 0;
    while all < 3_000 {
        other_group.next().await.expect("r1");
        all += 1;
    }
    assert_eq!(all, 3_000, "another group gets every event too");
}

/// A subscriber resuming after an event it saw gets what was published
/// since (not before), then live events, each once.
#[tokio::test]
async fn a_resumed_subscriber_gets_what_it_missed_then_live_events() {
    let bus: std::sync::Arc<dyn EventBus> = std::sync::Arc::new(InProcessBus::new(64));
    let old = event(0);
    bus.publish(&old).await.expect("publish");
    tokio::time::sleep(std::time::Duration::from_millis(subgraph_kit::bus::REPLAY_SLACK_MS + 200)).await;
    let seen = event(1);
    bus.publish(&seen).await.expect("publish");
    let missed: Vec<_> = (2..5).map(event).collect();
    for e in &missed {
        bus.publish(e).await.expect("publish");
    }
    let mut resumed = subgraph_kit::bus::subscribe_after(&bus, Some(seen.id));
    let live = event(5);
    bus.publish(&live).await.expect("publish");
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(resumed.next().await.expect("event").id);
    }
    let mut expected: Vec<Uuid> = missed.iter().map(|e| e.id).collect();
    expected.push(live.id);
    assert_eq!(got, expected, "the missed ones, then the live one; neither the old nor the seen one");
}
