//! The NATS JetStream bus: one JetStream stream carries every event, for
//! operators who run NATS already.
//!
//! - Publish goes to the stream's subject with the event id as
//!   `Nats-Msg-Id`, so the server drops an event the relay publishes twice
//!   (within [`DUPLICATE_WINDOW`]). It waits for the server's ack.
//! - Fan-out: each process runs one ordered consumer from the newest
//!   message on and rebroadcasts in process, like the Redis bus.
//! - Replay is an ordered consumer starting at the resume point's time.
//! - Durable consumers share one durable pull consumer per group: each
//!   message goes to one member, is acknowledged after its handler
//!   committed, and is redelivered after the ack wait when nobody
//!   acknowledged it (a member killed with it in hand). A member that stops
//!   normally gives back what it held at once (a negative ack).

use std::{sync::Arc, time::Duration};

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, DeliverPolicy, pull},
    stream::Stream as JsStream,
};
use async_trait::async_trait;
use backbone_schema::EventEnvelope;
use futures::{StreamExt, stream::BoxStream};
use tokio::sync::broadcast;

use super::{BusError, Delivery, EventBus, REPLAY_MAX, Unpublished, broadcast_stream};

/// How long the server remembers event ids to drop republished ones.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);
/// Messages the stream keeps (the oldest go first), like Redis's cap.
const MAX_MESSAGES: i64 = 100_000;
/// Messages a member pulls at a time.
const BATCH: usize = 64;

/// Events over a NATS JetStream stream.
pub struct NatsBus {
    context: jetstream::Context,
    stream: JsStream,
    subject: String,
    local: broadcast::Sender<Arc<EventEnvelope>>,
    reader: tokio::task::AbortHandle,
    ack_wait: Duration,
}

impl NatsBus {
    /// Connects to `url`, creates stream `name` (subject `<name>.events`)
    /// when missing, and starts this process's fan-out reader.
    pub async fn connect(url: &str, name: &str, ack_wait: Duration) -> Result<Self, BusError> {
        crate::reach::probe("NATS", url).await.map_err(BusError)?;
        let client = async_nats::connect(url).await.map_err(err)?;
        let context = jetstream::new(client);
        let subject = format!("{name}.events");
        let stream = context
            .get_or_create_stream(jetstream::stream::Config {
                name: name.to_owned(),
                subjects: vec![subject.clone()],
                max_messages: MAX_MESSAGES,
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await
            .map_err(err)?;
        let (local, _) = broadcast::channel(4096);
        let reader = tokio::spawn(fan_out(stream.clone(), subject.clone(), local.clone())).abort_handle();
        Ok(Self { context, stream, subject, local, reader, ack_wait })
    }
}

impl Drop for NatsBus {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn err(e: impl std::fmt::Display) -> BusError {
    BusError(format!("NATS: {e}"))
}

/// How many of `acks`, in order, confirm their message stored before the
/// first that does not (and its error).
async fn confirmed(acks: Vec<jetstream::context::PublishAckFuture>) -> (usize, Option<BusError>) {
    let total = acks.len();
    for (stored, ack) in acks.into_iter().enumerate() {
        if let Err(e) = ack.await {
            return (stored, Some(err(e)));
        }
    }
    (total, None)
}

fn decode(message: &jetstream::Message) -> Option<EventEnvelope> {
    serde_json::from_slice(&message.payload)
        .inspect_err(|e| tracing::warn!(error = %e, "undecodable event on the NATS stream; skipped"))
        .ok()
}

#[async_trait]
impl EventBus for NatsBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), BusError> {
        let body = serde_json::to_vec(event).map_err(|e| BusError(e.to_string()))?;
        let publish =
            jetstream::message::PublishMessage::build().payload(body.into()).message_id(event.id.to_string());
        self.context.send_publish(self.subject.clone(), publish).await.map_err(err)?.await.map_err(err)?;
        Ok(())
    }

    /// Sends every message, then awaits their acknowledgements: one round
    /// trip's wait for the lot, stored in the order sent.
    async fn publish_many(&self, events: &[EventEnvelope]) -> Result<(), Unpublished> {
        let mut acks = Vec::with_capacity(events.len());
        for event in events {
            let sent = match serde_json::to_vec(event) {
                Ok(body) => {
                    let message = jetstream::message::PublishMessage::build()
                        .payload(body.into())
                        .message_id(event.id.to_string());
                    self.context.send_publish(self.subject.clone(), message).await.map_err(err)
                }
                Err(e) => Err(BusError(e.to_string())),
            };
            match sent {
                Ok(ack) => acks.push(ack),
                // What was sent before may be stored: count it first.
                Err(error) => return Err(Unpublished { published: confirmed(acks).await.0, error }),
            }
        }
        match confirmed(acks).await {
            (_, None) => Ok(()),
            (published, Some(error)) => Err(Unpublished { published, error }),
        }
    }

    fn subscribe(&self) -> BoxStream<'static, Arc<EventEnvelope>> {
        broadcast_stream(self.local.subscribe())
    }

    async fn replay(&self, since_ms: u64) -> Result<Vec<Arc<EventEnvelope>>, BusError> {
        let start_time = chrono::DateTime::from_timestamp_millis(i64::try_from(since_ms).unwrap_or(i64::MAX))
            .ok_or_else(|| BusError("replay time out of range".into()))?;
        let consumer = self
            .stream
            .create_consumer(pull::OrderedConfig {
                filter_subject: self.subject.clone(),
                deliver_policy: DeliverPolicy::ByStartTime { start_time },
                ..Default::default()
            })
            .await
            .map_err(err)?;
        // What is there now, no more: the count is fixed when it starts.
        let waiting =
            usize::try_from(consumer.cached_info().num_pending).unwrap_or(usize::MAX).min(REPLAY_MAX);
        let mut messages = consumer.messages().await.map_err(err)?.take(waiting);
        let mut events = Vec::with_capacity(waiting);
        while let Some(message) = messages.next().await {
            if let Some(event) = decode(&message.map_err(err)?) {
                events.push(Arc::new(event));
            }
        }
        Ok(events)
    }

    fn consume(&self, group: &str, member: &str) -> BoxStream<'static, Delivery> {
        let (stream, subject, group, ack_wait) =
            (self.stream.clone(), self.subject.clone(), group.to_owned(), self.ack_wait);
        tracing::debug!(group, member, "joining NATS consumer group");
        let (tx, rx) = tokio::sync::mpsc::channel::<Delivery>(BATCH);
        tokio::spawn(async move {
            while !tx.is_closed() {
                if let Err(e) = pull_for(&stream, &subject, &group, ack_wait, &tx).await {
                    tracing::warn!(error = %e, group, "NATS consumer failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|d| (d, rx)) }).boxed()
    }
}

/// Pulls `group`'s durable consumer into `tx` until `tx` closes or NATS
/// fails. A message that cannot be handed over (the member stopped) is
/// given back at once.
async fn pull_for(
    stream: &JsStream,
    subject: &str,
    group: &str,
    ack_wait: Duration,
    tx: &tokio::sync::mpsc::Sender<Delivery>,
) -> Result<(), BusError> {
    let consumer = stream
        .get_or_create_consumer(
            group,
            pull::Config {
                durable_name: Some(group.to_owned()),
                filter_subject: subject.to_owned(),
                deliver_policy: DeliverPolicy::New,
                ack_policy: AckPolicy::Explicit,
                ack_wait,
                ..Default::default()
            },
        )
        .await
        .map_err(err)?;
    let mut messages = consumer.stream().max_messages_per_batch(BATCH).messages().await.map_err(err)?;
    loop {
        let message = tokio::select! {
            () = tx.closed() => return Ok(()),
            m = messages.next() => match m {
                Some(m) => Arc::new(m.map_err(err)?),
                None => return Err(BusError("NATS consumer ended".into())),
            },
        };
        let Some(event) = decode(&message) else {
            // Never decodable: acknowledged, so it does not come back.
            let _ = message.ack().await;
            continue;
        };
        let (acked, released) = (message.clone(), message);
        let delivery = Delivery::new(
            Arc::new(event),
            Some(Box::pin(async move {
                if let Err(e) = acked.ack().await {
                    tracing::warn!(error = %e, "NATS ack failed; the event will be delivered again");
                }
            })),
        )
        .released_on_drop(Box::pin(async move {
            let _ = released.ack_with(AckKind::Nak(None)).await;
        }));
        if tx.send(delivery).await.is_err() {
            return Ok(());
        }
    }
}

/// Reads every new message into the in-process broadcast. After a
/// failure it resumes after the last message it read, so none is skipped.
async fn fan_out(stream: JsStream, subject: String, local: broadcast::Sender<Arc<EventEnvelope>>) {
    let mut last: Option<u64> = None;
    let mut recent = super::Recent::default();
    loop {
        let deliver_policy = match last {
            Some(seq) => DeliverPolicy::ByStartSequence { start_sequence: seq + 1 },
            None => DeliverPolicy::New,
        };
        let config =
            pull::OrderedConfig { filter_subject: subject.clone(), deliver_policy, ..Default::default() };
        let messages = match stream.create_consumer(config).await {
            Ok(consumer) => consumer.messages().await.map_err(err),
            Err(e) => Err(err(e)),
        };
        match messages {
            Ok(mut messages) => {
                while let Some(message) = messages.next().await {
                    let message = match message {
                        Ok(m) => m,
                        Err(e) => {
                            tracing::warn!(error = %e, "NATS fan-out read failed; resuming");
                            break;
                        }
                    };
                    if let Ok(info) = message.info() {
                        last = Some(info.stream_sequence);
                    }
                    if let Some(event) = decode(&message)
                        && recent.first(event.id)
                    {
                        super::record_lag(&event);
                        let _ = local.send(Arc::new(event));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "NATS fan-out could not start; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
