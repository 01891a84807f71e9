//! `GET /v1/events?types=…`: the caller's events as Server-Sent Events.
//! Each event type runs its stored subscription through the same admission
//! as a WebSocket subscription (authentication, per-tenant subscription
//! limits, the owning subgraph's tenant and permission filters), and the
//! feeds are merged into one stream: `event:` is the type, `id:` the
//! event's id, `data:` the subscription's answer. A client that reconnects
//! with `Last-Event-ID` first gets the events the bus still holds since
//! that one (those of the few seconds before it may come again).

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, Uri},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::{Stream, StreamExt, stream};
use serde_json::{Map, Value, json};

use super::{Rest, answer::Reply, table::EventType};
use crate::{
    error::PipelineError,
    request::GraphQLRequest,
    subscribe::{self, feed::Item},
};

/// Serves one event stream.
pub async fn serve(State(rest): State<Arc<Rest>>, uri: Uri, headers: HeaderMap) -> Response {
    if !headers.contains_key("authorization") && !headers.contains_key("x-api-key") {
        let e = PipelineError::Unauthenticated("events are a caller's own: sign in".into());
        return Reply::error(&e).into_response();
    }
    let mut wanted: Vec<String> = Vec::new();
    let mut after: Option<String> =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "types" => wanted.extend(value.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())),
            "lastEventId" => after = after.or(Some(value.into_owned())),
            other => {
                let e = PipelineError::BadRequest(format!("unknown query parameter {other:?}"));
                return Reply::error(&e).into_response();
            }
        }
    }
    let types: Vec<&EventType> = if wanted.is_empty() {
        rest.table.events.iter().collect()
    } else {
        let mut types = Vec::new();
        for name in &wanted {
            match rest.table.events.iter().find(|e| e.name == *name) {
                Some(t) if !types.iter().any(|k: &&EventType| k.name == t.name) => types.push(t),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = rest.table.events.iter().map(|e| e.name.as_str()).collect();
                    let e =
                        PipelineError::BadRequest(format!("unknown event type {name:?}; known: {known:?}"));
                    return Reply::error(&e).into_response();
                }
            }
        }
        types
    };
    let after = after.filter(|a| !a.is_empty() && a.len() <= 64);
    let mut feeds = Vec::new();
    for t in types {
        let mut variables = Map::new();
        if let Some(a) = &after
            && t.operation.variable("after").is_some()
        {
            variables.insert("after".into(), Value::String(a.clone()));
        }
        let request = GraphQLRequest {
            query: Some(t.operation.text.clone()),
            operation_name: Some(t.operation.name.clone()),
            variables: Some(Value::Object(variables)),
            extensions: None,
        };
        match subscribe::join(&rest.pipeline, &rest.realtime, request, &headers).await {
            Ok(live) => feeds.push(events(t.clone(), live, after.clone())),
            Err(e) => return Reply::error(&e).into_response(),
        }
    }
    Sse::new(stream::select_all(feeds)).keep_alive(KeepAlive::default()).into_response()
}

/// One type's feed as SSE events; it ends after a failure.
fn events(
    t: EventType,
    live: subscribe::Live,
    after: Option<String>,
) -> std::pin::Pin<Box<dyn Stream<Item = Result<Event, std::convert::Infallible>> + Send>> {
    let root = t.operation.root.clone().unwrap_or_default();
    live.scan(false, move |ended, item| {
        let out = if *ended {
            None
        } else {
            match item {
                Ok(Item::Next(payload)) => Some(next(&t, &root, payload.json(), after.as_deref())),
                Ok(Item::Fail(errors)) => {
                    *ended = true;
                    Some(Some(failure(&t, &Value::Array(errors.to_vec()))))
                }
                Ok(Item::Complete) => None,
                Err(_) => {
                    *ended = true;
                    let e = PipelineError::SubscriptionLimit(
                        "this stream fell behind; reconnect with Last-Event-ID".into(),
                    );
                    Some(Some(failure(&t, &Value::Array(e.graphql()))))
                }
            }
        };
        futures::future::ready(out)
    })
    .filter_map(|e| futures::future::ready(e.map(Ok)))
    .boxed()
}

/// The SSE event of one answer; `None` for the event the client last saw.
fn next(t: &EventType, root: &str, json: &str, after: Option<&str>) -> Option<Event> {
    let answer: Value = serde_json::from_str(json).ok()?;
    if let Some(errors) = answer.get("errors").filter(|e| e.as_array().is_some_and(|a| !a.is_empty())) {
        return Some(failure(t, errors));
    }
    let data = answer.get("data")?.get(root)?;
    let id = data.get(&t.id_field).and_then(Value::as_str);
    if id.is_some() && id == after {
        return None;
    }
    let event = Event::default().event(&t.name).data(data.to_string());
    Some(match id {
        Some(id) => event.id(id),
        None => event,
    })
}

fn failure(t: &EventType, errors: &Value) -> Event {
    let first = &errors[0];
    let body = json!({"type": t.name, "error": {"code": first["extensions"]["code"], "message": first["message"],
        "reason": first["extensions"]["reason"]}, "errors": errors});
    Event::default().event("error").data(body.to_string())
}
