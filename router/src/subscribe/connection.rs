//! One client WebSocket: handshake, authentication, operations, keepalive.
//!
//! A connection is one task. It reads client messages, writes results of
//! its live subscriptions (a keyed map of feed streams), and sends
//! keepalives; admission and planning of each new operation run in their
//! own short task and report back. With no task and no queue per
//! subscription, an event costs each subscriber one wakeup and one write,
//! and an idle subscriber costs only its socket and its map entry.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use smallvec::{SmallVec, smallvec};
use tokio::sync::mpsc;
use tokio_stream::StreamMap;

use super::{
    Realtime, TenantSlot,
    feed::{Item, Spec, Subscription},
    protocol::{ClientMessage, Protocol},
};
use crate::{
    error::PipelineError,
    execute,
    pipeline::{Admitted, Pipeline},
    request::{Caller, GraphQLRequest},
};

/// A live subscription: the feed stream and the tenant slot it holds.
pub struct Live {
    feed: Subscription,
    _slot: TenantSlot,
    _open: crate::telemetry::Open,
}

impl futures::Stream for Live {
    type Item = <Subscription as futures::Stream>::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::pin::Pin::new(&mut self.feed).poll_next(cx)
    }
}

/// What starting an operation came to.
enum Started {
    /// A subscription joined its feed.
    Live(String, Live),
    /// A query or mutation was answered, or admission failed: frames to
    /// send, after which the operation is over.
    Done(String, Vec<String>),
}

/// Serves one upgraded socket until either side ends it. `headers` are the
/// upgrade request's.
pub async fn serve(
    socket: WebSocket,
    pipeline: Arc<Pipeline>,
    realtime: Arc<Realtime>,
    protocol: Protocol,
    headers: HeaderMap,
) {
    let _open = crate::telemetry::Open::new("backbone_router_websocket_connections");
    // Not split: reading happens in `select!` and writing after it, never
    // at once, so one socket needs no lock between two halves.
    let mut socket = socket;
    // Boxed: the handshake's state is large and short-lived; the loop
    // below lives as long as the connection.
    let init_timeout = Duration::from_secs(realtime.config.connection_init_timeout_seconds.max(1));
    let Some(caller) = Box::pin(handshake(&mut socket, &pipeline, init_timeout, protocol, headers)).await
    else {
        let _ = socket.close().await;
        return;
    };
    let every = Duration::from_secs(realtime.config.keepalive_seconds.max(1));
    // A random phase, so connections opened together do not all ping at once.
    let phase = {
        use std::hash::BuildHasher;
        let random = std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now());
        every.mul_f64((random % 1000) as f64 / 1000.0)
    };
    let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + every + phase, every);
    let (started_tx, mut started) = mpsc::unbounded_channel::<(u64, Started)>();
    let mut starting: HashMap<String, (u64, tokio::task::AbortHandle)> = HashMap::new();
    let mut tickets = 0u64;
    let mut live: StreamMap<String, Live> = StreamMap::new();
    loop {
        // At most two frames per turn: no allocation on the per-event path.
        let outgoing: SmallVec<[Message; 2]> = tokio::select! {
            // Results first: an event wakes every subscriber at once, and
            // each should write it without first touching its socket's
            // read state, its start queue and its timer, which are cold
            // in cache by then. Bounded: a feed buffers at most 256 items.
            biased;
            Some((id, item)) = live.next(), if !live.is_empty() => match item {
                Ok(Item::Next(payload)) => smallvec![Message::Text(payload.frame(protocol, &id))],
                Ok(Item::Fail(errors)) => {
                    live.remove(&id);
                    let payload = json!({"data": null, "errors": errors.as_ref()}).to_string();
                    smallvec![text_message(protocol.next(&id, &payload)), text_message(protocol.complete(&id))]
                }
                Ok(Item::Complete) => {
                    live.remove(&id);
                    smallvec![text_message(protocol.complete(&id))]
                }
                Err(tokio_stream::wrappers::errors::BroadcastStreamRecvError::Lagged(n)) => {
                    live.remove(&id);
                    let message = format!("this subscriber fell behind and missed {n} events; subscribe again");
                    smallvec![text_message(protocol.error(&id, PipelineError::SubscriptionLimit(message).graphql()))]
                }
            },
            frame = next_text(&mut socket) => {
                let Some(text) = frame else { break };
                let message = match protocol.decode(&text) {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = socket.send(close(4400, e)).await;
                        break;
                    }
                };
                match message {
                    ClientMessage::Init(_) => {
                        let _ = socket.send(close(4429, "Too many initialisation requests".into())).await;
                        break;
                    }
                    ClientMessage::Ping => smallvec![text_message(protocol.pong())],
                    ClientMessage::Pong => SmallVec::new(),
                    ClientMessage::Terminate => break,
                    ClientMessage::Complete(id) => {
                        if let Some((_, task)) = starting.remove(&id) {
                            task.abort();
                        }
                        live.remove(&id);
                        SmallVec::new()
                    }
                    ClientMessage::Subscribe { id, request } => {
                        if starting.contains_key(&id) || live.contains_key(&id) {
                            let _ = socket.send(close(4409, format!("Subscriber for {id} already exists"))).await;
                            break;
                        }
                        let max = realtime.config.max_subscriptions_per_connection;
                        if starting.len() + live.len() >= max {
                            let message = format!("at most {max} subscriptions per connection");
                            smallvec![text_message(protocol.error(&id, PipelineError::SubscriptionLimit(message).graphql()))]
                        } else {
                            let (pipeline, realtime, caller, tx) = (pipeline.clone(), realtime.clone(), caller.clone(), started_tx.clone());
                            let op = id.clone();
                            tickets += 1;
                            let ticket = tickets;
                            let task = tokio::spawn(async move {
                                let _ = tx.send((ticket, start(pipeline, realtime, protocol, op, request, caller).await));
                            });
                            starting.insert(id, (ticket, task.abort_handle()));
                            SmallVec::new()
                        }
                    }
                }
            }
            // Always polled, so a late result of an aborted start is
            // dropped at once rather than holding its tenant slot; a ticket
            // tells it from the result of a new start that reused its id.
            Some((ticket, result)) = started.recv() => match result {
                Started::Live(id, sub) => {
                    if take(&mut starting, &id, ticket) {
                        live.insert(id, sub);
                    }
                    SmallVec::new()
                }
                Started::Done(id, frames) => {
                    if take(&mut starting, &id, ticket) {
                        frames.into_iter().map(text_message).collect()
                    } else {
                        SmallVec::new()
                    }
                }
            },
            _ = keepalive.tick() => smallvec![text_message(protocol.keepalive())],
        };
        let mut failed = false;
        for m in outgoing {
            if socket.feed(m).await.is_err() {
                failed = true;
                break;
            }
        }
        if failed || socket.flush().await.is_err() {
            break;
        }
    }
    for (_, (_, task)) in starting {
        task.abort();
    }
    let _ = socket.close().await;
}

/// Ends the pending start of `id` if `ticket` is its own.
fn take(starting: &mut HashMap<String, (u64, tokio::task::AbortHandle)>, id: &str, ticket: u64) -> bool {
    if starting.get(id).is_some_and(|(t, _)| *t == ticket) {
        starting.remove(id);
        true
    } else {
        false
    }
}

fn text_message(s: String) -> Message {
    Message::Text(s.into())
}

fn close(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

/// `connection_init` within the configured time, credentials verified,
/// `connection_ack` sent; `None` when the connection was refused.
async fn handshake(
    socket: &mut WebSocket,
    pipeline: &Pipeline,
    init_timeout: Duration,
    protocol: Protocol,
    headers: HeaderMap,
) -> Option<Caller> {
    let payload = match tokio::time::timeout(init_timeout, next_text(socket)).await {
        Ok(Some(text)) => match protocol.decode(&text) {
            Ok(ClientMessage::Init(payload)) => payload,
            Ok(_) => {
                let _ = socket.send(close(4401, "Unauthorized: connection_init first".into())).await;
                return None;
            }
            Err(e) => {
                let _ = socket.send(close(4400, e)).await;
                return None;
            }
        },
        Ok(None) => return None,
        Err(_) => {
            let _ = socket.send(close(4408, "Connection initialisation timeout".into())).await;
            return None;
        }
    };
    let headers = merge_credentials(headers, &payload);
    match pipeline.authenticate(&headers).await {
        Ok(caller) => socket.send(text_message(protocol.ack())).await.ok().map(|()| caller),
        Err(e) => {
            if protocol == Protocol::LegacyWs {
                let payload = e.graphql().into_iter().next().unwrap_or_default();
                let error = json!({"type": "connection_error", "payload": payload});
                let _ = socket.send(text_message(error.to_string())).await;
            }
            let _ = socket.send(close(4403, format!("{}: {e}", e.code().as_str()))).await;
            None
        }
    }
}

async fn next_text(socket: &mut WebSocket) -> Option<String> {
    loop {
        match socket.recv().await? {
            Ok(Message::Text(t)) => return Some(t.to_string()),
            Ok(Message::Binary(b)) => return Some(String::from_utf8_lossy(&b).into_owned()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The upgrade headers with the `connection_init` credentials on top.
fn merge_credentials(mut headers: HeaderMap, payload: &Value) -> HeaderMap {
    if let Some(from_payload) = backbone_edge::connection_init::headers_from(payload) {
        headers.remove("authorization");
        headers.remove("x-api-key");
        for (name, value) in &from_payload {
            if let (Ok(n), Ok(v)) =
                (HeaderName::from_bytes(name.as_str().as_bytes()), HeaderValue::from_bytes(value.as_bytes()))
            {
                headers.insert(n, v);
            }
        }
    }
    headers
}

/// Admits and plans operation `id`: answers a query or mutation at once,
/// joins the feed of a subscription.
async fn start(
    pipeline: Arc<Pipeline>,
    realtime: Arc<Realtime>,
    protocol: Protocol,
    id: String,
    request: GraphQLRequest,
    caller: Caller,
) -> Started {
    match admit_and_join(&pipeline, &realtime, protocol, &id, request, caller).await {
        Ok(Joined::Live(live)) => Started::Live(id, live),
        Ok(Joined::Answered(frames)) => Started::Done(id, frames),
        Err(error) => {
            let frame = protocol.error(&id, error.graphql());
            Started::Done(id, vec![frame])
        }
    }
}

/// What starting an operation on a connection comes to.
enum Joined {
    /// A subscription, joined to its feed.
    Live(Live),
    /// A query or mutation, answered at once: these frames.
    Answered(Vec<String>),
}

/// Admits operation `id`: answers a query or mutation at once, joins the
/// feed of a subscription.
async fn admit_and_join(
    pipeline: &Pipeline,
    realtime: &Arc<Realtime>,
    protocol: Protocol,
    id: &str,
    request: GraphQLRequest,
    caller: Caller,
) -> Result<Joined, PipelineError> {
    let admitted = pipeline.admit(request, &caller.forward).await?;
    if !admitted.prepared.parts()?.is_subscription {
        let outcome = pipeline.answer(&admitted).await?;
        return Ok(Joined::Answered(vec![
            protocol.next(id, &String::from_utf8_lossy(&outcome.body)),
            protocol.complete(id),
        ]));
    }
    join_admitted(realtime, admitted, &caller).map(Joined::Live)
}

/// Admits a subscription sent outside a WebSocket (Server-Sent Events)
/// with the request's `headers`, and joins its feed.
pub async fn join(
    pipeline: &Pipeline,
    realtime: &Arc<Realtime>,
    request: GraphQLRequest,
    headers: &HeaderMap,
) -> Result<Live, PipelineError> {
    let admitted = pipeline.admit(request, headers).await?;
    if !admitted.prepared.parts()?.is_subscription {
        return Err(PipelineError::BadRequest("not a subscription".into()));
    }
    let caller = admitted.caller.clone();
    join_admitted(realtime, admitted, &caller)
}

/// Takes a tenant slot, plans an admitted subscription and joins its feed.
fn join_admitted(
    realtime: &Arc<Realtime>,
    admitted: Admitted,
    caller: &Caller,
) -> Result<Live, PipelineError> {
    let tenant = caller.identity.map_or_else(|| "anonymous".into(), |(t, _)| t.to_string());
    let max = realtime.config.max_subscriptions_per_tenant;
    let slot = realtime
        .acquire(&tenant)
        .ok_or_else(|| PipelineError::SubscriptionLimit(format!("at most {max} subscriptions per tenant")))?;
    let Admitted { graph, prepared, key, variables, operation_name, .. } = admitted;
    let planned = graph.planner.plan(key, &prepared.doc, operation_name.as_deref()).map_err(|e| match e {
        crate::planner::PlanError::Invalid(m) => PipelineError::Validation(vec![m]),
        other => {
            tracing::error!(error = %other, "planning a subscription failed");
            PipelineError::Internal("could not plan the operation".into())
        }
    })?;
    let fetch = execute::subscription_fetch(&planned.plan)
        .cloned()
        .ok_or_else(|| PipelineError::Internal("the subscription has no owning subgraph".into()))?;
    let feed_key = feed_key(key, &variables, &caller.forward);
    let forward = caller.forward.clone();
    let feed = realtime.feeds.join(feed_key, move || Spec { graph, planned, fetch, variables, forward });
    Ok(Live { feed, _slot: slot, _open: crate::telemetry::Open::new("backbone_router_subscriptions") })
}

/// Identical subscriptions (document, variables, credentials) share a feed.
fn feed_key(text_key: u64, variables: &serde_json::Map<String, Value>, forward: &HeaderMap) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&text_key.to_le_bytes());
    h.update(Value::Object(variables.clone()).to_string().as_bytes());
    if let Some(auth) = forward.get("authorization") {
        h.update(auth.as_bytes());
    }
    h.digest()
}
