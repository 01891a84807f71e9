//! Running a consumer group: each delivered event is handled, retried
//! with backoff, then acknowledged. An event its handler still fails
//! after [`Retry::attempts`] tries is parked in `dead_events` with the
//! error and the whole envelope (for an operator to look at and replay)
//! and acknowledged, so one event
//! that can never be handled does not hold up every event behind it. If
//! parking fails too (the database is down), the event is retried until
//! it can be handled or parked: nothing is skipped unrecorded. Handlers
//! make themselves idempotent with [`crate::consumed::first_time`], since
//! delivery is at-least-once.

use std::{future::Future, sync::Arc, time::Duration};

use backbone_entities::platform::dead_event;
use backbone_schema::EventEnvelope;
use futures::StreamExt;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, sea_query::OnConflict};

use super::Delivery;
use crate::{Kit, error::ApiResult};

/// How a consumer retries an event before parking it.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries before the event is parked.
    pub attempts: u32,
    /// Wait after the first failure; doubles each time.
    pub first_backoff: Duration,
    /// The longest wait between tries.
    pub max_backoff: Duration,
}

impl Default for Retry {
    /// 8 tries over about 20 s: long enough to ride out a restart of a
    /// dependency, short enough that a poison event holds nothing up for
    /// long.
    fn default() -> Self {
        Self { attempts: 8, first_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(5) }
    }
}

/// Consumes `group` as `member` from the kit's bus until `shutdown`
/// resolves, calling `handle` for each event, with the default [`Retry`].
pub async fn run<F, Fut>(kit: &Kit, group: &str, member: &str, shutdown: impl Future<Output = ()>, handle: F)
where
    F: FnMut(Arc<EventEnvelope>) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    run_with(kit, group, member, Retry::default(), shutdown, handle).await
}

/// [`run`] with a given retry policy.
pub async fn run_with<F, Fut>(
    kit: &Kit,
    group: &str,
    member: &str,
    retry: Retry,
    shutdown: impl Future<Output = ()>,
    mut handle: F,
) where
    F: FnMut(Arc<EventEnvelope>) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    let one = move |mut events: Vec<Arc<EventEnvelope>>| handle(events.remove(0));
    run_batches(kit, group, member, 1, retry, shutdown, one).await
}

/// Consumes `group` in batches of the events already waiting, at most
/// `max` at a time, calling `handle` once per batch (one transaction for
/// many events is what makes a high-volume consumer fast). A batch that
/// fails is handled again one event at a time, each with `retry` and
/// parking, so one event that cannot be handled holds up nothing but
/// itself. `handle` must therefore be all or nothing per call.
pub async fn run_batches<F, Fut>(
    kit: &Kit,
    group: &str,
    member: &str,
    max: usize,
    retry: Retry,
    shutdown: impl Future<Output = ()>,
    mut handle: F,
) where
    F: FnMut(Vec<Arc<EventEnvelope>>) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    let mut batches = kit.bus.consume(group, member).ready_chunks(max.max(1));
    tokio::pin!(shutdown);
    loop {
        // Unconstrained: tokio's cooperative budget would otherwise end a
        // batch at 128 events however many are waiting.
        let batch = tokio::select! {
            () = &mut shutdown => break,
            b = tokio::task::unconstrained(batches.next()) => match b { Some(b) => b, None => break },
        };
        // The events apart from their deliveries (a delivery is not Sync).
        let events: Vec<Arc<EventEnvelope>> = batch.iter().map(|d| d.event.clone()).collect();
        tracing::trace!(group, events = events.len(), "batch");
        if events.len() == 1 {
            one_by_one(kit, group, retry, &events[0], &mut handle).await;
        } else if let Err(e) = handle(events.clone()).await {
            tracing::warn!(error = %e, group, events = events.len(), "batch failed; handling its events one by one");
            for event in &events {
                one_by_one(kit, group, retry, event, &mut handle).await;
            }
        }
        futures::future::join_all(batch.into_iter().map(Delivery::ack)).await;
    }
}

/// Handles `event` alone until it succeeds or is parked.
async fn one_by_one<F, Fut>(kit: &Kit, group: &str, retry: Retry, event: &Arc<EventEnvelope>, handle: &mut F)
where
    F: FnMut(Vec<Arc<EventEnvelope>>) -> Fut,
    Fut: Future<Output = ApiResult<()>>,
{
    let mut backoff = retry.first_backoff;
    let mut tries = 0_u32;
    while let Err(e) = handle(vec![event.clone()]).await {
        tries += 1;
        if tries >= retry.attempts.max(1) {
            match park(&kit.db, group, event, &e.to_string(), tries).await {
                Ok(()) => {
                    tracing::error!(error = %e, group, event = %event.id, tries, "consumer gave up; event parked in dead_events");
                    return;
                }
                Err(park_error) => {
                    tracing::warn!(error = %park_error, group, event = %event.id, "parking failed; retrying")
                }
            }
        } else {
            tracing::warn!(error = %e, group, event = %event.id, tries, "consumer failed; retrying");
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(retry.max_backoff);
    }
}

/// Records `event` as given up on by `group` (once: a redelivered event
/// parked before keeps its first record).
pub async fn park(
    db: &DatabaseConnection,
    group: &str,
    event: &EventEnvelope,
    error: &str,
    attempts: u32,
) -> Result<(), sea_orm::DbErr> {
    let envelope = serde_json::to_string(event).unwrap_or_default();
    let row = dead_event::ActiveModel {
        consumer: Set(group.to_owned()),
        event_id: Set(event.id),
        tenant_id: Set(event.tenant_id),
        event_type: Set(event.event_type.clone()),
        envelope: Set(envelope),
        error: Set(error.chars().take(2000).collect()),
        attempts: Set(i32::try_from(attempts).unwrap_or(i32::MAX)),
        parked_at: Set(chrono::Utc::now()),
    };
    dead_event::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([dead_event::Column::Consumer, dead_event::Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
