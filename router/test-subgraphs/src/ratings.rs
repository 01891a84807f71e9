//! ratings: a subgraph written against the wire protocol by hand (no
//! GraphQL library), answering each `_entities` item on its own: product
//! "3" gets a null rating and an error with the path
//! `["_entities", i, "rating"]`, as the federation spec describes. (An
//! async-graphql subgraph fails the whole `_entities` list on one error.)

use std::net::SocketAddr;

use axum::{Json, Router, routing::post};
use serde_json::{Value, json};

/// The SDL this subgraph exports.
pub const SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
type Product @key(fields: "upc") {
  upc: String!
  "Average rating, 1-5."
  rating: Int
}
type Query {
  _service: _Service!
}
scalar _Any
type _Service { sdl: String }
"#;

async fn handle(Json(body): Json<Value>) -> Json<Value> {
    let query = body["query"].as_str().unwrap_or_default();
    if query.contains("_service") {
        return Json(json!({"data": {"_service": {"sdl": SDL}}}));
    }
    let reps = body["variables"]["representations"].as_array().cloned().unwrap_or_default();
    let mut entities = Vec::new();
    let mut errors = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        let upc = rep["upc"].as_str().unwrap_or_default();
        if upc == "3" {
            entities.push(json!({"__typename": "Product", "rating": null}));
            errors.push(json!({"message": "rating of product 3 is being recomputed", "path": ["_entities", i, "rating"]}));
        } else {
            let rating = upc.parse::<i64>().map_or(0, |n| 6 - n.clamp(1, 5));
            entities.push(json!({"__typename": "Product", "rating": rating}));
        }
    }
    let mut out = json!({"data": {"_entities": entities}});
    if !errors.is_empty() {
        out["errors"] = Value::Array(errors);
    }
    Json(out)
}

/// Serves ratings on `127.0.0.1:port` (0 = random).
pub async fn serve(port: u16) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = Router::new().route("/graphql", post(handle));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((
        addr,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    ))
}
