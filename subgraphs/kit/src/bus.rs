//! The event bus: where the outbox relay publishes and subscribers listen.
//!
//! A trait, so the in-process broadcast used by default and the Redis bus of
//! multi-replica deployments are interchangeable.

use std::sync::Arc;

use async_trait::async_trait;
use backbone_schema::EventEnvelope;
use futures::{StreamExt, stream::BoxStream};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

/// A publish failed; the relay keeps the event and retries.
#[derive(Debug, thiserror::Error)]
#[error("event bus: {0}")]
pub struct BusError(pub String);

/// Publishes envelopes to every current subscriber.
#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Publishes one event.
    async fn publish(&self, event: &EventEnvelope) -> Result<(), BusError>;
    /// A stream of every event published from now on.
    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>>;
}

/// In-process broadcast. A subscriber that falls more than the capacity
/// behind skips the events it missed (and a warning is logged); durable
/// consumers read the outbox, not this stream.
pub struct InProcessBus {
    tx: broadcast::Sender<Arc<EventEnvelope>>,
}

impl InProcessBus {
    /// A bus buffering up to `capacity` events per subscriber.
    pub fn new(capacity: usize) -> Self {
        Self { tx: broadcast::channel(capacity).0 }
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
        // No subscribers is not an error: the event is still in the outbox.
        let _ = self.tx.send(Arc::new(event.clone()));
        Ok(())
    }

    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>> {
        futures::stream::unfold(self.tx.subscribe(), |mut rx| async move {
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
}
