//! One client WebSocket: handshake, authentication, operations, keepalive.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::{
    Realtime, TenantSlot,
    feed::{Item, Spec, Subscription},
    protocol::{ClientMessage, Protocol},
};
use crate::{
    error::RequestError,
    execute,
    pipeline::{Admitted, Caller, Pipeline},
};

/// Serves one upgraded socket until either side ends it. `headers` are the
/// upgrade request's.
pub async fn serve(socket: WebSocket, pipeline: Arc<Pipeline>, protocol: Protocol, headers: HeaderMap) {
    let realtime = pipeline.realtime.clone();
    let (mut sink, mut stream) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<Message>(64);
    let keepalive = Duration::from_secs(realtime.config.keepalive_seconds.max(1));
    let writer = tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + keepalive, keepalive);
        // Keepalives start once the connection is acknowledged.
        let ack = protocol.ack();
        let mut acked = false;
        loop {
            let message = tokio::select! {
                m = outgoing.recv() => match m { Some(m) => m, None => break },
                _ = ticks.tick(), if acked => Message::Text(protocol.keepalive().into()),
            };
            if !acked && matches!(&message, Message::Text(t) if t.as_str() == ack) {
                acked = true;
                ticks.reset();
            }
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let close = |code: u16, reason: String| Message::Close(Some(CloseFrame { code, reason: reason.into() }));

    // connection_init, within the configured time.
    let init_timeout = Duration::from_secs(realtime.config.connection_init_timeout_seconds.max(1));
    let payload = match tokio::time::timeout(init_timeout, next_text(&mut stream)).await {
        Ok(Some(text)) => match protocol.decode(&text) {
            Ok(ClientMessage::Init(payload)) => payload,
            Ok(_) => {
                let _ = out.send(close(4401, "Unauthorized: connection_init first".into())).await;
                return finish(out, writer).await;
            }
            Err(e) => {
                let _ = out.send(close(4400, e)).await;
                return finish(out, writer).await;
            }
        },
        Ok(None) => return finish(out, writer).await,
        Err(_) => {
            let _ = out.send(close(4408, "Connection initialisation timeout".into())).await;
            return finish(out, writer).await;
        }
    };
    let headers = merge_credentials(headers, &payload);
    let caller = match pipeline.authenticate(&headers).await {
        Ok(c) => c,
        Err(e) => {
            let reason = format!("{}: {e}", e.code().as_str());
            if protocol == Protocol::LegacyWs {
                let error = json!({"type": "connection_error", "payload": e.to_json()});
                let _ = out.send(Message::Text(error.to_string().into())).await;
            }
            let _ = out.send(close(4403, reason)).await;
            return finish(out, writer).await;
        }
    };
    if out.send(Message::Text(protocol.ack().into())).await.is_err() {
        return finish(out, writer).await;
    }

    let mut active: HashMap<String, tokio::task::AbortHandle> = HashMap::new();
    let (done_tx, mut done) = mpsc::unbounded_channel::<String>();
    loop {
        let text = tokio::select! {
            t = next_text(&mut stream) => match t { Some(t) => t, None => break },
            Some(id) = done.recv() => { active.remove(&id); continue; }
        };
        let message = match protocol.decode(&text) {
            Ok(m) => m,
            Err(e) => {
                let _ = out.send(close(4400, e)).await;
                break;
            }
        };
        match message {
            ClientMessage::Init(_) => {
                let _ = out.send(close(4429, "Too many initialisation requests".into())).await;
                break;
            }
            ClientMessage::Ping => {
                let _ = out.send(Message::Text(protocol.pong().into())).await;
            }
            ClientMessage::Pong => {}
            ClientMessage::Terminate => break,
            ClientMessage::Complete(id) => {
                if let Some(task) = active.remove(&id) {
                    task.abort();
                }
            }
            ClientMessage::Subscribe { id, request } => {
                if active.contains_key(&id) {
                    let _ = out.send(close(4409, format!("Subscriber for {id} already exists"))).await;
                    break;
                }
                if active.len() >= realtime.config.max_subscriptions_per_connection {
                    let max = realtime.config.max_subscriptions_per_connection;
                    let message = format!("at most {max} subscriptions per connection");
                    let _ =
                        out.send(Message::Text(protocol.error(&id, vec![limited(&message)]).into())).await;
                    continue;
                }
                let op = Operation { id: id.clone(), protocol, out: out.clone(), done: done_tx.clone() };
                let task = tokio::spawn(op.run(pipeline.clone(), realtime.clone(), request, caller.clone()));
                active.insert(id, task.abort_handle());
            }
        }
    }
    for (_, task) in active {
        task.abort();
    }
    finish(out, writer).await;
}

async fn finish(out: mpsc::Sender<Message>, writer: tokio::task::JoinHandle<()>) {
    drop(out);
    let _ = writer.await;
}

async fn next_text(stream: &mut futures::stream::SplitStream<WebSocket>) -> Option<String> {
    loop {
        match stream.next().await? {
            Ok(Message::Text(t)) => return Some(t.to_string()),
            Ok(Message::Binary(b)) => return Some(String::from_utf8_lossy(&b).into_owned()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The upgrade headers with the `connection_init` credentials on top.
fn merge_credentials(mut headers: HeaderMap, payload: &Value) -> HeaderMap {
    if let Some(from_payload) = subgraph_kit::ws::headers_from(payload) {
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

fn limited(message: &str) -> Value {
    json!({"message": message, "extensions": {"code": "RATE_LIMITED"}})
}

/// One operation on the connection.
struct Operation {
    id: String,
    protocol: Protocol,
    out: mpsc::Sender<Message>,
    done: mpsc::UnboundedSender<String>,
}

impl Operation {
    async fn run(
        self,
        pipeline: Arc<Pipeline>,
        realtime: Arc<Realtime>,
        request: crate::pipeline::GraphQLRequest,
        caller: Caller,
    ) {
        match self.start(&pipeline, &realtime, request, caller).await {
            Ok(Some((subscription, slot))) => self.forward(subscription, slot).await,
            Ok(None) => {}
            Err(errors) => self.send(self.protocol.error(&self.id, errors)).await,
        }
        let _ = self.done.send(self.id.clone());
    }

    /// Admits and plans; answers queries and mutations at once; joins the
    /// feed of a subscription.
    async fn start(
        &self,
        pipeline: &Pipeline,
        realtime: &Arc<Realtime>,
        request: crate::pipeline::GraphQLRequest,
        caller: Caller,
    ) -> Result<Option<(Subscription, TenantSlot)>, Vec<Value>> {
        let errors_of = |e: RequestError| vec![e.to_json()];
        let admitted = match pipeline.admit(request, &caller.forward).await.map_err(errors_of)? {
            Ok(a) => a,
            Err(outcome) => return Err(outcome_errors(outcome.body)),
        };
        if !admitted.prepared.parts().map_err(errors_of)?.is_subscription {
            let outcome = pipeline.answer(&admitted).await.map_err(errors_of)?;
            self.send(self.protocol.next(&self.id, &outcome.body.to_string())).await;
            self.send(self.protocol.complete(&self.id)).await;
            return Ok(None);
        }
        let tenant = caller.tenant.clone().unwrap_or_else(|| "anonymous".into());
        let max = realtime.config.max_subscriptions_per_tenant;
        let slot = realtime
            .acquire(&tenant)
            .ok_or_else(|| vec![limited(&format!("at most {max} subscriptions per tenant"))])?;
        let Admitted { graph, prepared, key, variables, operation_name, .. } = admitted;
        let planned = graph
            .planner
            .plan(key, &prepared.doc, operation_name.as_deref())
            .map_err(|e| vec![json!({"message": e.to_string(), "extensions": {"code": "BAD_USER_INPUT"}})])?;
        let fetch = execute::subscription_fetch(&planned.plan)
            .cloned()
            .ok_or_else(|| vec![json!({"message": "the subscription has no owning subgraph", "extensions": {"code": "INTERNAL"}})])?;
        let feed_key = feed_key(key, &variables, &caller.forward);
        let forward = caller.forward.clone();
        let subscription =
            realtime.feeds.join(feed_key, move || Spec { graph, planned, fetch, variables, forward });
        Ok(Some((subscription, slot)))
    }

    async fn forward(&self, mut subscription: Subscription, _slot: TenantSlot) {
        loop {
            match subscription.rx.recv().await {
                Ok(Item::Next(payload)) => self.send(self.protocol.next(&self.id, &payload)).await,
                Ok(Item::Fail(errors)) => {
                    let payload = json!({"data": null, "errors": errors.as_ref()}).to_string();
                    self.send(self.protocol.next(&self.id, &payload)).await;
                    break;
                }
                Ok(Item::Complete) | Err(RecvError::Closed) => break,
                Err(RecvError::Lagged(n)) => {
                    let message =
                        format!("this subscriber fell behind and missed {n} events; subscribe again");
                    self.send(self.protocol.error(&self.id, vec![limited(&message)])).await;
                    return;
                }
            }
        }
        self.send(self.protocol.complete(&self.id)).await;
    }

    async fn send(&self, text: String) {
        let _ = self.out.send(Message::Text(text.into())).await;
    }
}

fn outcome_errors(mut body: Value) -> Vec<Value> {
    match body["errors"].take() {
        Value::Array(list) => list,
        _ => vec![json!({"message": "invalid request", "extensions": {"code": "BAD_USER_INPUT"}})],
    }
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
