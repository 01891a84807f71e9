//! The event bus: where the outbox relay publishes and subscribers listen.
//!
//! Two kinds of listener, because real time and durable work want different
//! things:
//! - [`EventBus::subscribe`] is fan-out: every replica sees every event from
//!   now on (GraphQL subscriptions, cache invalidation). A subscriber that
//!   reconnects may resume with [`subscribe_after`], which first replays
//!   what the bus still holds ([`EventBus::replay`]).
//! - [`EventBus::consume`] is a durable work queue per consumer group: each
//!   event is handled by one member of the group, and an event not yet
//!   acknowledged is delivered again (to the restarted process). Handlers
//!   deduplicate by event id ([`crate::consumed`]).
//!
//! [`InProcessBus`] is the default; [`RedisBus`] (Redis Streams) when
//! `redis_url` is set; [`NatsBus`] (NATS JetStream) when `nats_url` is.

pub mod consumer;
mod nats;
mod redis;

use std::sync::Arc;

use async_trait::async_trait;
use backbone_schema::EventEnvelope;
use futures::{StreamExt, future::BoxFuture, stream::BoxStream};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

pub use self::{nats::NatsBus, redis::RedisBus};

/// A publish failed; the relay keeps the event and retries.
#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

/// A [`EventBus::publish_many`] that stopped part way.
#[derive(Debug, thiserror::Error)]
#[error("{error} (after {published} events)")]
pub struct Unpublished {
    /// How many of the first events are known published.
    pub published: usize,
    /// Why the next one was not.
    pub error: BusError,
}

/// One event handed to a durable consumer; [`Delivery::ack`] once handled.
/// Dropping it unacknowledged leaves it pending, to be delivered again.
pub struct Delivery {
    /// The event.
    pub event: Arc<EventEnvelope>,
    ack: Option<BoxFuture<'static, ()>>,
    release: Option<BoxFuture<'static, ()>>,
}

impl Delivery {
    /// A delivery whose acknowledgement runs `ack`.
    pub fn new(event: Arc<EventEnvelope>, ack: Option<BoxFuture<'static, ()>>) -> Self {
        Self { event, ack, release: None }
    }

    /// Runs `release` (spawned) when the delivery is dropped unacknowledged,
    /// for a bus that must be told to hand the event out again.
    pub fn released_on_drop(mut self, release: BoxFuture<'static, ()>) -> Self {
        self.release = Some(release);
        self
    }

    /// Marks the event handled.
    pub async fn ack(mut self) {
        self.release = None;
        if let Some(ack) = self.ack.take() {
            ack.await;
        }
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if let (Some(release), Ok(runtime)) = (self.release.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(release);
        }
    }
}

/// Publishes envelopes; fans them out and queues them for consumer groups.
#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Publishes one event.
    async fn publish(&self, event: &EventEnvelope) -> Result<(), BusError>;
    /// Publishes `events` in order, as few round trips as the bus allows.
    /// On failure, says how many of the first events are known published
    /// (the rest may be too: delivery is at-least-once).
    async fn publish_many(&self, events: &[EventEnvelope]) -> Result<(), Unpublished> {
        for (published, event) in events.iter().enumerate() {
            self.publish(event).await.map_err(|error| Unpublished { published, error })?;
        }
        Ok(())
    }
    /// A stream of every event published from now on, on any replica.
    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>>;
    /// The durable queue of consumer group `group`; `member` names this
    /// process within the group.
    fn consume(&self, group: &str, member: &str) -> BoxStream<'static, Delivery>;
    /// The events still held that were published from `since_ms` (Unix
    /// milliseconds) on, oldest first, at most [`REPLAY_MAX`].
    async fn replay(&self, since_ms: u64) -> Result<Vec<Arc<EventEnvelope>>, BusError>;
}

/// Most events one replay returns.
pub const REPLAY_MAX: usize = 10_000;

/// How far before a resume point a replay starts: events of different
/// subgraphs' relays reach the bus a little out of their ids' order, so a
/// resumed subscriber may see again what it saw in the last seconds (each
/// event carries its id) but never misses one the bus still holds.
pub const REPLAY_SLACK_MS: u64 = 2_000;

/// Every event from now on, preceded, when `after` is given (the id of
/// the last event a subscriber saw, a UUID v7), by those the bus still
/// holds from a little before it ([`REPLAY_SLACK_MS`]), each event once.
/// Subscriptions that resume (`after:`) read this instead of
/// [`EventBus::subscribe`].
pub fn subscribe_after(
    bus: &Arc<dyn EventBus>,
    after: Option<uuid::Uuid>,
) -> BoxStream<'static, Arc<EventEnvelope>> {
    let live = bus.subscribe();
    let Some(after) = after else { return live };
    let since = after
        .get_timestamp()
        .map(|t| {
            let (secs, nanos) = t.to_unix();
            (secs * 1000 + u64::from(nanos) / 1_000_000).saturating_sub(REPLAY_SLACK_MS)
        })
        .unwrap_or(0);
    let bus = bus.clone();
    let seen = Arc::new(parking_lot::Mutex::new(std::collections::HashSet::new()));
    let replayed = {
        let seen = seen.clone();
        futures::stream::once(async move {
            let events = bus.replay(since).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "replay failed; resuming from live events only");
                Vec::new()
            });
            let mut seen = seen.lock();
            let fresh: Vec<_> = events.into_iter().filter(|e| e.id != after && seen.insert(e.id)).collect();
            futures::stream::iter(fresh)
        })
        .flatten()
    };
    let live = live.filter(move |e| {
        let again = seen.lock().contains(&e.id);
        async move { !again }
    });
    replayed.chain(live).boxed()
}

/// In-process broadcast. A subscriber that falls more than the capacity
/// behind skips the events it missed (and a warning is logged): a screen
/// refetches. Consumer groups are queues instead: each event goes to one
/// member of each group, and a group more than [`GROUP_QUEUE`] events
/// behind makes the publisher (the outbox relay) wait, so a durable
/// consumer that falls behind loses nothing. Consumer groups see events
/// published while they run; what a dead process had not handled is
/// re-published from the outbox only if the relay had not marked it,
/// which is why production uses [`RedisBus`].
pub struct InProcessBus {
    tx: broadcast::Sender<Arc<EventEnvelope>>,
    recent: parking_lot::Mutex<Recent>,
    /// The last [`REPLAY_MAX`] events with their publication time (ms).
    log: parking_lot::Mutex<std::collections::VecDeque<(u64, Arc<EventEnvelope>)>>,
    groups: parking_lot::Mutex<std::collections::HashMap<String, Group>>,
}

/// Events a consumer group member may have waiting before publishing waits.
pub const GROUP_QUEUE: usize = 16_384;

/// The members of one in-process consumer group, served in turn.
#[derive(Default)]
struct Group {
    members: Vec<tokio::sync::mpsc::Sender<Arc<EventEnvelope>>>,
    next: usize,
}

impl Group {
    /// The member the next event goes to, forgetting members that left.
    fn next_member(&mut self) -> Option<tokio::sync::mpsc::Sender<Arc<EventEnvelope>>> {
        self.members.retain(|m| !m.is_closed());
        if self.members.is_empty() {
            return None;
        }
        self.next = (self.next + 1) % self.members.len();
        Some(self.members[self.next].clone())
    }
}

impl InProcessBus {
    /// A bus buffering up to `capacity` events per subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity).0,
            recent: Default::default(),
            log: Default::default(),
            groups: Default::default(),
        }
    }
}

/// The ids of the last events fanned out, so an event the relay publishes
/// twice (it died between publishing and marking) reaches live
/// subscribers once. Durable consumers deduplicate on their own.
#[derive(Default)]
pub(crate) struct Recent {
    seen: std::collections::HashSet<uuid::Uuid>,
    order: std::collections::VecDeque<uuid::Uuid>,
}

impl Recent {
    const CAPACITY: usize = 16_384;

    /// Records `id`; `false` when it was seen recently.
    pub(crate) fn first(&mut self, id: uuid::Uuid) -> bool {
        if !self.seen.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::CAPACITY
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new(4096)
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), BusError> {
        if !self.recent.lock().first(event.id) {
            return Ok(());
        }
        record_lag(event);
        let event = Arc::new(event.clone());
        {
            let mut log = self.log.lock();
            if log.len() == REPLAY_MAX {
                log.pop_front();
            }
            log.push_back((now_ms(), event.clone()));
        }
        // No subscribers is not an error: the event is still in the outbox.
        let _ = self.tx.send(event.clone());
        let members: Vec<_> = self.groups.lock().values_mut().filter_map(Group::next_member).collect();
        for member in members {
            // Waits while the member's queue is full; fails only if it left.
            let _ = member.send(event.clone()).await;
        }
        Ok(())
    }

    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>> {
        broadcast_stream(self.tx.subscribe())
    }

    async fn replay(&self, since_ms: u64) -> Result<Vec<Arc<EventEnvelope>>, BusError> {
        let log = self.log.lock();
        Ok(log.iter().filter(|(at, _)| *at >= since_ms).map(|(_, e)| e.clone()).collect())
    }

    fn consume(&self, group: &str, _member: &str) -> BoxStream<'static, Delivery> {
        let (tx, rx) = tokio::sync::mpsc::channel(GROUP_QUEUE);
        self.groups.lock().entry(group.to_owned()).or_default().members.push(tx);
        futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|e| (Delivery::new(e, None), rx)) },
        )
        .boxed()
    }
}

/// How old an event is when this process's subscribers get it (commit to
/// fan-out: the outbox relay and the bus together).
pub(crate) fn record_lag(event: &EventEnvelope) {
    let age = (chrono::Utc::now() - event.occurred_at).to_std().unwrap_or_default();
    metrics::histogram!("backbone_bus_lag_seconds").record(age.as_secs_f64());
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A broadcast receiver as a stream that logs and skips over lag.
pub(crate) fn broadcast_stream(
    rx: broadcast::Receiver<Arc<EventEnvelope>>,
) -> BoxStream<'static, Arc<EventEnvelope>> {
    futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(event) => return Some((event, rx)),
                Err(RecvError::Lagged(n)) => tracing::warn!(skipped = n, "bus subscriber lagged"),
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}
