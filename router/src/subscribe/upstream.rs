//! The router's side of a subgraph subscription: one WebSocket
//! (`graphql-transport-ws`, tokio-tungstenite) per feed, authenticated with
//! the client's forwarded credentials in `connection_init`.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, protocol::WebSocketConfig},
};

/// What the subgraph sent for our operation.
#[derive(Debug)]
pub enum Event {
    /// One result, `{data, errors}`.
    Next(Value),
    /// The operation failed; the errors say why.
    Error(Vec<Value>),
    /// The subgraph ended the stream.
    Complete,
    /// The connection dropped or broke the protocol.
    Gone(String),
}

/// An open subscription on a subgraph.
pub struct Upstream {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// The operation id we use upstream (one operation per socket).
const OP: &str = "1";

impl Upstream {
    /// Connects to `http_url` (as ws://), initialises with `auth` and starts
    /// `query`; everything must happen within `timeout`.
    pub async fn open(
        http_url: &reqwest::Url,
        auth: Option<&str>,
        query: &str,
        variables: Value,
        timeout: Duration,
    ) -> Result<Self, String> {
        tokio::time::timeout(timeout, Self::open_inner(http_url, auth, query, variables))
            .await
            .map_err(|_| "did not accept the subscription in time".to_owned())?
    }

    async fn open_inner(
        http_url: &reqwest::Url,
        auth: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Self, String> {
        let mut url = http_url.clone();
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme).map_err(|()| "URL cannot be WebSocket".to_owned())?;
        let mut request = url.as_str().into_client_request().map_err(|e| e.to_string())?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", http::HeaderValue::from_static("graphql-transport-ws"));
        // Small buffers: a feed carries small messages, and memory per open
        // subscription is what bounds how many a router holds.
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
            .await
            .map_err(|e| format!("connect failed: {e}"))?;
        let payload = match auth {
            Some(a) => json!({"Authorization": a}),
            None => json!({}),
        };
        send(&mut ws, json!({"type": "connection_init", "payload": payload})).await?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
                    match v["type"].as_str() {
                        Some("connection_ack") => break,
                        Some("ping") => send(&mut ws, json!({"type": "pong"})).await?,
                        _ => return Err(format!("unexpected message before ack: {t}")),
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or_else(|| "closed".into(), |f| f.reason.to_string()));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("closed before ack".into()),
            }
        }
        let subscribe =
            json!({"id": OP, "type": "subscribe", "payload": {"query": query, "variables": variables}});
        send(&mut ws, subscribe).await?;
        Ok(Self { ws })
    }

    /// The next event of the operation.
    pub async fn next(&mut self) -> Event {
        loop {
            let text = match self.ws.next().await {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(frame))) => {
                    return Event::Gone(frame.map_or_else(|| "closed".into(), |f| f.reason.to_string()));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Event::Gone(e.to_string()),
                None => return Event::Gone("connection closed".into()),
            };
            let Ok(mut v) = serde_json::from_str::<Value>(&text) else {
                return Event::Gone("subgraph sent a message that is not JSON".into());
            };
            match v["type"].as_str() {
                Some("next") => return Event::Next(v["payload"].take()),
                Some("error") => {
                    return Event::Error(match v["payload"].take() {
                        Value::Array(list) => list,
                        other => vec![other],
                    });
                }
                Some("complete") => return Event::Complete,
                Some("ping") => {
                    if let Err(e) = send(&mut self.ws, json!({"type": "pong"})).await {
                        return Event::Gone(e);
                    }
                }
                _ => {}
            }
        }
    }

    /// Stops the operation and closes the socket (best effort).
    pub async fn close(mut self) {
        let _ = send(&mut self.ws, json!({"id": OP, "type": "complete"})).await;
        let _ = self.ws.close(None).await;
    }
}

async fn send(ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>, v: Value) -> Result<(), String> {
    ws.send(Message::Text(v.to_string().into())).await.map_err(|e| e.to_string())
}
