//! Feeds: one upstream subscription shared by every client subscription
//! that would get the same answers (same document, variables and
//! credentials), as Apollo Router deduplicates subscriptions. A feed runs
//! the rest of the query plan once per event (entity fetches to other
//! subgraphs), shapes the result once, and broadcasts the serialized
//! payload; each client only frames and writes it. The feed closes its
//! upstream as soon as its last subscriber leaves.

use crate::error::PipelineError;
use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, Weak},
};

use hive_router_query_planner::planner::plan_nodes::FetchNode;
use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, broadcast};

use axum::extract::ws::Utf8Bytes;
use tokio_stream::wrappers::{BroadcastStream, errors::BroadcastStreamRecvError};

use super::{
    protocol::Protocol,
    upstream::{Event, Upstream},
};
use crate::{execute, graph::LiveGraph, planner::Planned, project};

/// One result, serialized once, with its WebSocket frames built once per
/// (protocol, operation id) and shared by every subscriber using them.
#[derive(Debug)]
pub struct Payload {
    json: String,
    /// The first frame built; most subscribers of a feed share it, and
    /// reading it takes no lock.
    first: OnceLock<(Protocol, String, Utf8Bytes)>,
    framed: Mutex<Vec<(Protocol, String, Utf8Bytes)>>,
}

impl Payload {
    fn new(json: String) -> Self {
        Self { json, first: OnceLock::new(), framed: Mutex::new(Vec::new()) }
    }

    /// The result as JSON (`{data, errors}`).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The `next` frame of operation `id`: built by the first subscriber
    /// that needs it, a reference-counted copy for the rest.
    pub fn frame(&self, protocol: Protocol, id: &str) -> Utf8Bytes {
        let (p, i, bytes) = self
            .first
            .get_or_init(|| (protocol, id.to_owned(), Utf8Bytes::from(protocol.next(id, &self.json))));
        if *p == protocol && i == id {
            return bytes.clone();
        }
        let mut framed = self.framed.lock();
        if let Some((_, _, bytes)) = framed.iter().find(|(p, i, _)| *p == protocol && i == id) {
            return bytes.clone();
        }
        let bytes = Utf8Bytes::from(protocol.next(id, &self.json));
        // Clients mostly reuse a few ids; do not grow without bound.
        if framed.len() < 16 {
            framed.push((protocol, id.to_owned(), bytes.clone()));
        }
        bytes
    }
}

/// What a feed broadcasts.
#[derive(Debug, Clone)]
pub enum Item {
    /// A result.
    Next(Arc<Payload>),
    /// The feed failed; these errors end every subscription on it.
    Fail(Arc<Vec<Value>>),
    /// The subgraph completed the stream.
    Complete,
}

/// One shared upstream subscription.
pub struct Feed {
    tx: broadcast::Sender<Item>,
    subscribers: Mutex<usize>,
    left: Notify,
}

/// A client's place on a feed, as a stream of items (`Err` when the client
/// fell too far behind); leaving is dropping it.
pub struct Subscription {
    rx: BroadcastStream<Item>,
    feed: Arc<Feed>,
}

impl futures::Stream for Subscription {
    type Item = Result<Item, BroadcastStreamRecvError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::pin::Pin::new(&mut self.rx).poll_next(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut n = self.feed.subscribers.lock();
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.feed.left.notify_one();
        }
    }
}

/// Every live feed of a router, by key.
#[derive(Default)]
pub struct Feeds {
    live: Mutex<HashMap<u64, Weak<Feed>>>,
}

/// Everything a feed needs to run.
pub struct Spec {
    /// The graph the subscription was planned on.
    pub graph: Arc<LiveGraph>,
    /// The plan (subscription node first).
    pub planned: Arc<Planned>,
    /// The subscription node's fetch.
    pub fetch: FetchNode,
    /// Client variables.
    pub variables: Map<String, Value>,
    /// Headers forwarded to subgraphs.
    pub forward: reqwest::header::HeaderMap,
}

impl Feeds {
    /// Joins the feed `key`, starting it from `spec` if none is running.
    pub fn join(self: &Arc<Self>, key: u64, spec: impl FnOnce() -> Spec) -> Subscription {
        let mut live = self.live.lock();
        if let Some(feed) = live.get(&key).and_then(Weak::upgrade) {
            let mut n = feed.subscribers.lock();
            if *n > 0 {
                *n += 1;
                drop(n);
                return Subscription { rx: BroadcastStream::new(feed.tx.subscribe()), feed };
            }
        }
        let (tx, rx) = broadcast::channel(256);
        let feed = Arc::new(Feed { tx, subscribers: Mutex::new(1), left: Notify::new() });
        live.insert(key, Arc::downgrade(&feed));
        drop(live);
        tokio::spawn(run(self.clone(), key, feed.clone(), spec()));
        Subscription { rx: BroadcastStream::new(rx), feed }
    }

    /// How many feeds are open (tests, metrics).
    pub fn open(&self) -> usize {
        self.live.lock().values().filter(|w| w.strong_count() > 0).count()
    }

    fn forget(&self, key: u64, feed: &Arc<Feed>) {
        let mut live = self.live.lock();
        if live.get(&key).is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(feed))) {
            live.remove(&key);
        }
    }
}

async fn run(feeds: Arc<Feeds>, key: u64, feed: Arc<Feed>, spec: Spec) {
    let service = spec.fetch.service_name.clone();
    let unavailable = |why: &str| {
        let error = PipelineError::SubgraphUnavailable { service: service.clone(), reason: why.to_owned() };
        Item::Fail(Arc::new(error.graphql()))
    };
    let auth = spec.forward.get("authorization").and_then(|v| v.to_str().ok());
    let variables = execute_variables(&spec);
    let upstream = match spec.graph.client.endpoint(&service) {
        Some((url, timeout)) => {
            Upstream::open(url, auth, &spec.fetch.operation.document_str, variables, timeout).await
        }
        None => Err("it is not reachable over WebSocket".into()),
    };
    let mut upstream = match upstream {
        Ok(u) => u,
        Err(why) => {
            let _ = feed.tx.send(unavailable(&why));
            feeds.forget(key, &feed);
            return;
        }
    };
    loop {
        let event = tokio::select! {
            event = upstream.next() => event,
            () = feed.left.notified() => {
                if *feed.subscribers.lock() == 0 {
                    break;
                }
                continue;
            }
        };
        let item = match event {
            Event::Next(payload) => Item::Next(Arc::new(Payload::new(resolve(&spec, payload).await))),
            Event::Error(errors) => Item::Fail(Arc::new(errors)),
            Event::Complete => Item::Complete,
            Event::Gone(why) => unavailable(&why),
        };
        let last = !matches!(item, Item::Next(_));
        let _ = feed.tx.send(item);
        if last {
            feeds.forget(key, &feed);
            return;
        }
    }
    feeds.forget(key, &feed);
    upstream.close().await;
}

/// The variables the subscription fetch uses.
fn execute_variables(spec: &Spec) -> Value {
    let mut vars = Map::new();
    for name in spec.fetch.variable_usages.iter().flatten() {
        if let Some(v) = spec.variables.get(name) {
            vars.insert(name.clone(), v.clone());
        }
    }
    Value::Object(vars)
}

/// Runs the rest of the plan on one event and shapes the client payload.
async fn resolve(spec: &Spec, mut payload: Value) -> String {
    let data = payload["data"].take();
    let mut errors: Vec<Value> = match payload["errors"].take() {
        Value::Array(list) => list,
        _ => Vec::new(),
    };
    if data.is_null() {
        return json!({"data": null, "errors": errors}).to_string();
    }
    let executed = execute::execute_seeded(
        &spec.graph.client,
        &spec.graph.possible,
        &spec.planned.plan,
        &spec.variables,
        &spec.forward,
        Some(data),
    )
    .await;
    errors.extend(executed.errors);
    let supergraph = spec.graph.planner.supergraph();
    let root = supergraph.subscription_type.clone().unwrap_or_else(|| "Subscription".into());
    let body = project::response(
        supergraph,
        &spec.graph.visible,
        &spec.planned.operation,
        &root,
        &executed.data,
        &spec.variables,
        errors,
    );
    // The projector writes JSON from valid strings only.
    String::from_utf8(body).unwrap_or_default()
}
