//! The two GraphQL-over-WebSocket protocols clients speak:
//! `graphql-transport-ws` (the current one) and `graphql-ws` (the legacy
//! subscriptions-transport-ws). Messages are decoded into one enum and
//! encoded per protocol, so the connection logic is written once.

use serde_json::{Value, json};

use crate::request::GraphQLRequest;

/// Which protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`.
    TransportWs,
    /// `graphql-ws` (legacy).
    LegacyWs,
}

/// What a client sent.
#[derive(Debug)]
pub enum ClientMessage {
    /// `connection_init` with its payload.
    Init(Value),
    /// `subscribe` / `start`.
    Subscribe {
        /// Operation id.
        id: String,
        /// The GraphQL request.
        request: GraphQLRequest,
    },
    /// `complete` / `stop`.
    Complete(String),
    /// `ping`.
    Ping,
    /// `pong`.
    Pong,
    /// `connection_terminate` (legacy).
    Terminate,
}

impl Protocol {
    /// The protocol to speak, from the client's `Sec-WebSocket-Protocol`
    /// list; none offered means `graphql-transport-ws`.
    pub fn negotiate(offered: Option<&str>) -> Option<Self> {
        let Some(list) = offered else { return Some(Self::TransportWs) };
        list.split(',').map(str::trim).find_map(|p| match p {
            "graphql-transport-ws" => Some(Self::TransportWs),
            "graphql-ws" => Some(Self::LegacyWs),
            _ => None,
        })
    }

    /// The subprotocol name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::LegacyWs => "graphql-ws",
        }
    }

    /// Decodes one text frame.
    pub fn decode(self, text: &str) -> Result<ClientMessage, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("message is not JSON: {e}"))?;
        let id = || v.get("id").and_then(Value::as_str).map(str::to_owned).ok_or("message needs an id");
        match (self, v.get("type").and_then(Value::as_str).unwrap_or_default()) {
            (_, "connection_init") => {
                Ok(ClientMessage::Init(v.get("payload").cloned().unwrap_or(Value::Null)))
            }
            (Self::TransportWs, "subscribe") | (Self::LegacyWs, "start") => {
                let request = serde_json::from_value(v.get("payload").cloned().unwrap_or_default())
                    .map_err(|e| format!("payload is not a GraphQL request: {e}"))?;
                Ok(ClientMessage::Subscribe { id: id()?, request })
            }
            (Self::TransportWs, "complete") | (Self::LegacyWs, "stop") => Ok(ClientMessage::Complete(id()?)),
            (Self::TransportWs, "ping") => Ok(ClientMessage::Ping),
            (Self::TransportWs, "pong") => Ok(ClientMessage::Pong),
            (Self::LegacyWs, "connection_terminate") => Ok(ClientMessage::Terminate),
            (_, other) => Err(format!("unknown message type `{other}`")),
        }
    }

    /// `connection_ack`.
    pub fn ack(self) -> String {
        json!({"type": "connection_ack"}).to_string()
    }

    /// A result of operation `id`; `payload` is serialized `{data, errors}`.
    pub fn next(self, id: &str, payload: &str) -> String {
        let kind = match self {
            Self::TransportWs => "next",
            Self::LegacyWs => "data",
        };
        format!(r#"{{"id":{},"type":"{kind}","payload":{payload}}}"#, Value::from(id))
    }

    /// Operation `id` failed before producing results; it is over.
    pub fn error(self, id: &str, errors: Vec<Value>) -> String {
        let payload = match self {
            Self::TransportWs => Value::Array(errors),
            // The legacy protocol carries one error object.
            Self::LegacyWs => errors.into_iter().next().unwrap_or_default(),
        };
        json!({"id": id, "type": "error", "payload": payload}).to_string()
    }

    /// Operation `id` is over.
    pub fn complete(self, id: &str) -> String {
        json!({"id": id, "type": "complete"}).to_string()
    }

    /// A keepalive.
    pub fn keepalive(self) -> String {
        match self {
            Self::TransportWs => json!({"type": "ping"}).to_string(),
            Self::LegacyWs => json!({"type": "ka"}).to_string(),
        }
    }

    /// The answer to a ping.
    pub fn pong(self) -> String {
        json!({"type": "pong"}).to_string()
    }
}
