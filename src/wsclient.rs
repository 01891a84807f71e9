//! A small GraphQL-over-WebSocket client speaking `graphql-transport-ws`
//! and `graphql-ws`, for the end-to-end tests and the subscription
//! benchmark. It answers pings itself and hands back every other message.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, protocol::WebSocketConfig},
};

/// Why a connection or read failed.
#[derive(Debug, thiserror::Error)]
pub enum WsError {
    /// The server closed the connection (code and reason).
    #[error("closed by server: {code} {reason}")]
    Closed {
        /// Close code, e.g. 4403.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// Nothing arrived in time.
    #[error("timed out")]
    Timeout,
    /// Transport or protocol failure.
    #[error("{0}")]
    Other(String),
}

/// One client connection.
pub struct WsClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    legacy: bool,
}

impl WsClient {
    /// Connects to `url` (ws://…/graphql) with subprotocol `protocol`,
    /// sends `connection_init` with `payload` and waits for the ack.
    pub async fn connect(url: &str, protocol: &str, payload: Value) -> Result<Self, WsError> {
        let mut request = url.into_client_request().map_err(|e| WsError::Other(e.to_string()))?;
        let value = protocol.parse().map_err(|_| WsError::Other("bad protocol".into()))?;
        request.headers_mut().insert("sec-websocket-protocol", value);
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
            .await
            .map_err(|e| WsError::Other(e.to_string()))?;
        let mut client = Self { ws, legacy: protocol == "graphql-ws" };
        client.send(json!({"type": "connection_init", "payload": payload})).await?;
        loop {
            let m = client.next(Duration::from_secs(10)).await?;
            match m["type"].as_str() {
                Some("connection_ack") => return Ok(client),
                Some("ka") => {}
                Some("connection_error") => return Err(WsError::Other(m["payload"].to_string())),
                _ => return Err(WsError::Other(format!("unexpected before ack: {m}"))),
            }
        }
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) -> Result<(), WsError> {
        let kind = if self.legacy { "start" } else { "subscribe" };
        self.send(json!({"id": id, "type": kind, "payload": {"query": query, "variables": variables}})).await
    }

    /// Stops operation `id`.
    pub async fn complete(&mut self, id: &str) -> Result<(), WsError> {
        let kind = if self.legacy { "stop" } else { "complete" };
        self.send(json!({"id": id, "type": kind})).await
    }

    /// The next message other than pings and keepalives, unparsed (for
    /// load generation, where parsing every message would be the bench's
    /// own cost).
    /// Without a timeout: waiting costs no timer per message.
    pub async fn next_text(&mut self) -> Result<String, WsError> {
        loop {
            let frame = self.ws.next().await;
            match frame {
                Some(Ok(Message::Text(t))) => {
                    if t.contains(r#""type":"ping""#) {
                        self.send(json!({"type": "pong"})).await?;
                    } else {
                        return Ok(t.to_string());
                    }
                }
                Some(Ok(Message::Close(f))) => {
                    let (code, reason) =
                        f.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string()));
                    return Err(WsError::Closed { code, reason });
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(WsError::Other(e.to_string())),
                None => return Err(WsError::Closed { code: 1006, reason: "connection dropped".into() }),
            }
        }
    }

    /// The next message other than pings and keepalives, parsed.
    pub async fn next(&mut self, within: Duration) -> Result<Value, WsError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let text =
                tokio::time::timeout_at(deadline, self.next_text()).await.map_err(|_| WsError::Timeout)??;
            let v: Value = serde_json::from_str(&text).map_err(|e| WsError::Other(e.to_string()))?;
            if !matches!(v["type"].as_str(), Some("ka" | "pong")) {
                return Ok(v);
            }
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    async fn send(&mut self, v: Value) -> Result<(), WsError> {
        self.ws.send(Message::Text(v.to_string().into())).await.map_err(|e| WsError::Other(e.to_string()))
    }
}
