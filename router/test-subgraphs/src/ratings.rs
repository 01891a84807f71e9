//! ratings: a subgraph written against the wire protocol by hand (no
//! GraphQL library), answering each `_entities` item on its own: product
//! "3" gets a null rating and an error with the path
//! `["_entities", i, "rating"]`, as the federation spec describes. (An
//! async-graphql subgraph fails the whole `_entities` list on one error.)
//! Requests that include product "2" take 700 ms (a slow subgraph).
//! Product "4" answers `votes: null` for a non-null field, with no error (a
//! subgraph breaking its contract).

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{Json, Router, extract::State, routing::post};
use serde_json::{Value, json};

/// The SDL this subgraph exports: Federation 1, an entity extension whose
/// key field is marked `@external` (issue 14, item 10).
pub const SDL: &str = r#"extend type Product @key(fields: "upc") {
  upc: String! @external
  "Average rating, 1-5."
  rating: Int
  "How many ratings there are. Product \"4\" breaks the contract: null, and no error."
  votes: Int!
}
type Query {
  _service: _Service!
}
scalar _Any
type _Service { sdl: String }
"#;

/// What this subgraph has been asked, for tests that check batching.
#[derive(Default, Debug)]
pub struct Traffic {
    /// `_entities` requests received.
    pub entity_requests: AtomicUsize,
    /// Representations received over all of them.
    pub representations: AtomicUsize,
}

async fn handle(State(traffic): State<Arc<Traffic>>, Json(body): Json<Value>) -> Json<Value> {
    let query = body["query"].as_str().unwrap_or_default();
    if query.contains("_service") {
        return Json(json!({"data": {"_service": {"sdl": SDL}}}));
    }
    let reps = body["variables"]["representations"].as_array().cloned().unwrap_or_default();
    traffic.entity_requests.fetch_add(1, Ordering::SeqCst);
    traffic.representations.fetch_add(reps.len(), Ordering::SeqCst);
    // Product "2" is slow to rate: a router with a short timeout gives up.
    if reps.iter().any(|r| r["upc"] == "2") {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    }
    let mut entities = Vec::new();
    let mut errors = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        let upc = rep["upc"].as_str().unwrap_or_default();
        if upc == "3" {
            entities.push(json!({"__typename": "Product", "rating": null, "votes": 0}));
            errors.push(json!({"message": "rating of product 3 is being recomputed", "path": ["_entities", i, "rating"]}));
        } else {
            let rating = upc.parse::<i64>().map_or(0, |n| 6 - n.clamp(1, 5));
            let votes = if upc == "4" { Value::Null } else { json!(10) };
            entities.push(json!({"__typename": "Product", "rating": rating, "votes": votes}));
        }
    }
    let mut out = json!({"data": {"_entities": entities}});
    if !errors.is_empty() {
        out["errors"] = Value::Array(errors);
    }
    Json(out)
}

/// Serves ratings on `127.0.0.1:port` (0 = random), recording its traffic.
pub async fn serve(
    port: u16,
    traffic: Arc<Traffic>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = Router::new().route("/graphql", post(handle)).with_state(traffic);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((
        addr,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    ))
}
