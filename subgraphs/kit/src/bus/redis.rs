//! The Redis bus: one Redis Stream carries every event.
//!
//! - Publish is `XADD` (the stream is capped near `MAX_LEN` entries).
//! - Fan-out: each process runs one reader (`XREAD BLOCK` from the newest
//!   entry on) and rebroadcasts in process, so every replica sees every
//!   event without a Redis connection per GraphQL subscriber.
//! - Replay (a subscription resuming after an event it saw) is `XRANGE`
//!   from the resume point's time: entry ids are publication times.
//! - Durable consumers use consumer groups (`XREADGROUP`): on start a member
//!   first re-reads what it was given but never acknowledged, then new
//!   entries; `XACK` after the handler committed. Members are named per
//!   process, so what a dead process held is claimed by a live member once
//!   idle for [`CLAIM_IDLE`] (`XAUTOCLAIM`).

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use backbone_schema::EventEnvelope;
use futures::{FutureExt, StreamExt, stream::BoxStream};
use redis::{
    AsyncCommands, Client,
    aio::{ConnectionManager, MultiplexedConnection},
    streams::{StreamAutoClaimOptions, StreamReadOptions, StreamReadReply},
};
use tokio::sync::broadcast;

use super::{BusError, Delivery, EventBus, Unpublished, broadcast_stream};

/// Approximate cap on the stream length.
const MAX_LEN: usize = 100_000;
/// How long one blocking read waits before looping (and noticing shutdown).
const BLOCK_MS: usize = 1_000;
/// Entries per read.
const READ_COUNT: usize = 256;

/// Events over a Redis Stream.
pub struct RedisBus {
    client: Client,
    stream: String,
    publisher: ConnectionManager,
    local: broadcast::Sender<Arc<EventEnvelope>>,
    reader: tokio::task::AbortHandle,
    claim_idle: Duration,
}

/// How long an event may sit delivered but unacknowledged before another
/// member of its group claims it, by default.
pub const CLAIM_IDLE: Duration = Duration::from_secs(30);

impl RedisBus {
    /// Connects to `url` and starts this process's fan-out reader on
    /// stream `stream`.
    pub async fn connect(url: &str, stream: &str) -> Result<Self, BusError> {
        let client = Client::open(url).map_err(err)?;
        crate::reach::probe("Redis", url).await.map_err(BusError)?;
        let publisher = ConnectionManager::new(client.clone()).await.map_err(err)?;
        let (local, _) = broadcast::channel(4096);
        let reader = tokio::spawn(fan_out(client.clone(), stream.to_owned(), local.clone())).abort_handle();
        Ok(Self { client, stream: stream.to_owned(), publisher, local, reader, claim_idle: CLAIM_IDLE })
    }

    /// Sets how long an event may sit with a member that has not
    /// acknowledged it (it died, or hangs) before another member of the
    /// group claims it (`XAUTOCLAIM`). Longer than the slowest handler:
    /// a claimed event still being handled is handled twice, which
    /// consumers' deduplication by event id absorbs.
    pub fn claim_idle_after(mut self, idle: Duration) -> Self {
        self.claim_idle = idle;
        self
    }
}

impl RedisBus {
    /// The `XADD` that appends `event` to the stream (capped near
    /// [`MAX_LEN`]).
    fn xadd(&self, event: &EventEnvelope) -> Result<redis::Cmd, BusError> {
        let body = serde_json::to_string(event).map_err(|e| BusError(e.to_string()))?;
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.stream).arg("MAXLEN").arg("~").arg(MAX_LEN).arg("*").arg("e").arg(body);
        Ok(cmd)
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn err(e: redis::RedisError) -> BusError {
    BusError(e.to_string())
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), BusError> {
        let mut conn = self.publisher.clone();
        let _: String = self.xadd(event)?.query_async(&mut conn).await.map_err(err)?;
        Ok(())
    }

    /// One pipeline of `XADD`s: one round trip, in order. A failed
    /// pipeline counts as nothing published.
    async fn publish_many(&self, events: &[EventEnvelope]) -> Result<(), Unpublished> {
        let fail = |error| Unpublished { published: 0, error };
        let mut pipe = redis::pipe();
        for event in events {
            pipe.add_command(self.xadd(event).map_err(fail)?).ignore();
        }
        let mut conn = self.publisher.clone();
        let () = pipe.query_async(&mut conn).await.map_err(|e| fail(err(e)))?;
        Ok(())
    }

    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>> {
        broadcast_stream(self.local.subscribe())
    }

    async fn replay(&self, since_ms: u64) -> Result<Vec<Arc<EventEnvelope>>, BusError> {
        let mut conn = self.publisher.clone();
        let reply: redis::streams::StreamRangeReply = conn
            .xrange_count(&self.stream, format!("{since_ms}-0"), "+", super::REPLAY_MAX)
            .await
            .map_err(err)?;
        Ok(reply.ids.iter().filter_map(|id| decode(&id.map)).map(Arc::new).collect())
    }

    fn consume(&self, group: &str, member: &str) -> BoxStream<'static, Delivery> {
        let state = GroupReader {
            client: self.client.clone(),
            acker: self.publisher.clone(),
            stream: self.stream.clone(),
            group: group.to_owned(),
            member: member.to_owned(),
            conn: None,
            backlog: true,
            buffered: Vec::new(),
            claim_idle: self.claim_idle,
            claimed_at: None,
        };
        futures::stream::unfold(state, |mut s| async move { Some((s.next().await, s)) }).boxed()
    }
}

/// Reads every new entry and rebroadcasts it in process, reconnecting on
/// failure.
async fn fan_out(client: Client, stream: String, local: broadcast::Sender<Arc<EventEnvelope>>) {
    let mut last = "$".to_owned();
    let mut recent = super::Recent::default();
    loop {
        let mut conn = match client.get_multiplexed_async_connection().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "redis bus: connect failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            let opts = StreamReadOptions::default().block(BLOCK_MS).count(READ_COUNT);
            let reply: Result<Option<StreamReadReply>, _> =
                conn.xread_options(&[&stream], &[&last], &opts).await;
            match reply {
                Ok(Some(reply)) => {
                    for id in reply.keys.into_iter().flat_map(|k| k.ids) {
                        if let Some(event) = decode(&id.map)
                            && recent.first(event.id)
                        {
                            super::record_lag(&event);
                            let _ = local.send(Arc::new(event));
                        }
                        last = id.id;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "redis bus: read failed; reconnecting");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
            }
        }
    }
}

fn decode(map: &std::collections::HashMap<String, redis::Value>) -> Option<EventEnvelope> {
    let raw: String = redis::from_redis_value(map.get("e")?).ok()?;
    match serde_json::from_str(&raw) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = %e, "redis bus: undecodable entry skipped");
            None
        }
    }
}

/// One member's position in a consumer group.
struct GroupReader {
    client: Client,
    acker: ConnectionManager,
    stream: String,
    group: String,
    member: String,
    conn: Option<MultiplexedConnection>,
    /// Still re-reading entries delivered before a restart.
    backlog: bool,
    buffered: Vec<Delivery>,
    /// Entries other members have held unacknowledged this long are
    /// claimed (checked every `claim_idle / 2`).
    claim_idle: Duration,
    claimed_at: Option<std::time::Instant>,
}

impl GroupReader {
    async fn next(&mut self) -> Delivery {
        loop {
            if let Some(d) = self.buffered.pop() {
                return d;
            }
            if let Err(e) = self.fill().await {
                tracing::warn!(error = %e, group = %self.group, "redis bus: group read failed; retrying");
                self.conn = None;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }

    async fn fill(&mut self) -> redis::RedisResult<()> {
        if self.conn.is_none() {
            let mut conn = self.client.get_multiplexed_async_connection().await?;
            let created: redis::RedisResult<()> =
                conn.xgroup_create_mkstream(&self.stream, &self.group, "$").await;
            if let Err(e) = created
                && e.code() != Some("BUSYGROUP")
            {
                return Err(e);
            }
            self.conn = Some(conn);
        }
        let Some(conn) = self.conn.as_mut() else { return Ok(()) };
        let claim_due = self.claimed_at.is_none_or(|at| at.elapsed() >= self.claim_idle / 2);
        let ids = if !self.backlog && claim_due {
            self.claimed_at = Some(std::time::Instant::now());
            let claimed: redis::streams::StreamAutoClaimReply = conn
                .xautoclaim_options(
                    &self.stream,
                    &self.group,
                    &self.member,
                    self.claim_idle.as_millis() as u64,
                    "0-0",
                    StreamAutoClaimOptions::default().count(READ_COUNT),
                )
                .await?;
            if !claimed.claimed.is_empty() {
                tracing::info!(
                    group = %self.group,
                    events = claimed.claimed.len(),
                    "redis bus: claimed events another member held unacknowledged"
                );
            }
            claimed.claimed
        } else {
            Vec::new()
        };
        let ids = if ids.is_empty() {
            let from = if self.backlog { "0" } else { ">" };
            let opts = StreamReadOptions::default()
                .group(&self.group, &self.member)
                .block(BLOCK_MS)
                .count(READ_COUNT);
            let reply: Option<StreamReadReply> = conn.xread_options(&[&self.stream], &[from], &opts).await?;
            let ids: Vec<_> = reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids).collect();
            if self.backlog && ids.is_empty() {
                self.backlog = false;
            }
            ids
        } else {
            ids
        };
        // Reversed so `pop` hands them out in stream order.
        for id in ids.into_iter().rev() {
            let ack = {
                let (mut acker, stream, group, entry) =
                    (self.acker.clone(), self.stream.clone(), self.group.clone(), id.id.clone());
                async move {
                    let acked: redis::RedisResult<i64> = acker.xack(&stream, &group, &[&entry]).await;
                    if let Err(e) = acked {
                        tracing::warn!(error = %e, "redis bus: ack failed; the event will be redelivered");
                    }
                }
                .boxed()
            };
            match decode(&id.map) {
                Some(event) => self.buffered.push(Delivery::new(Arc::new(event), Some(ack))),
                // Undecodable entries are acknowledged so they do not loop.
                None => ack.await,
            }
        }
        Ok(())
    }
}
