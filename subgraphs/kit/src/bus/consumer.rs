//! Running a consumer group: each delivered event is handled, retried
//! with backoff until its handler succeeds (never skipped), then
//! acknowledged. Handlers make themselves idempotent with
//! [`crate::consumed::first_time`], since delivery is at-least-once.

use std::{future::Future, sync::Arc, time::Duration};

use backbone_schema::EventEnvelope;
use futures::StreamExt;

use super::EventBus;
use crate::error::ApiResult;

/// Consumes `group` as `member` from `bus` until `shutdown` resolves,
/// calling `handle` for each event.
pub async fn run<F, Fut>(
    bus: Arc<dyn EventBus>,
    group: &str,
    member: &str,
    shutdown: impl Future<Output = ()>,
    mut handle: F,
) where
    F: FnMut(Arc<EventEnvelope>) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    let mut deliveries = bus.consume(group, member);
    tokio::pin!(shutdown);
    loop {
        let delivery = tokio::select! {
            () = &mut shutdown => break,
            d = deliveries.next() => match d { Some(d) => d, None => break },
        };
        let mut backoff = Duration::from_millis(100);
        while let Err(e) = handle(delivery.event.clone()).await {
            tracing::warn!(error = %e, group, event = %delivery.event.id, "consumer failed; retrying");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        delivery.ack().await;
    }
}
