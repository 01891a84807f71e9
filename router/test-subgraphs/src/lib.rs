//! Small Federation v2 subgraphs for router tests and benchmarks: the
//! classic accounts / products / reviews / inventory graph plus a search
//! subgraph whose union members live elsewhere, and a hand-written
//! `ratings` subgraph that answers per-entity errors with paths, and an
//! interface (`identity`) extended by an `@interfaceObject` (`billing`).
//! Each is an async-graphql schema; [`serve`] starts one on port 0.
//!
//! Fixed data: users 1–3, products 1–4. Product "4" is where things break:
//! its inventory entity errors and its reviews are empty.

pub mod accounts;
pub mod billing;
pub mod blog;
pub mod identity;
pub mod inventory;
pub mod products;
pub mod ratings;
pub mod reviews;
pub mod search;

use std::net::SocketAddr;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQL, GraphQLSubscription};
use axum::{Router, routing::post_service};

/// Serves `schema` at `/graphql` on `127.0.0.1:port` (0 = random); returns
/// the address and the server task.
pub async fn serve<Q, M, S>(
    schema: Schema<Q, M, S>,
    port: u16,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    // POST for queries, GET for WebSocket subscriptions.
    let app = Router::new().route(
        "/graphql",
        post_service(GraphQL::new(schema.clone())).get_service(GraphQLSubscription::new(schema)),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// Serves a dynamic schema (identity, billing) like [`serve`].
pub async fn serve_dynamic(
    schema: async_graphql::dynamic::Schema,
    port: u16,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = Router::new().route("/graphql", post_service(GraphQL::new(schema)));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// Every test subgraph's name and SDL.
pub fn sdls() -> Vec<(&'static str, String)> {
    let opts = || async_graphql::SDLExportOptions::new().federation().compose_directive();
    vec![
        ("accounts", accounts::schema().sdl_with_options(opts())),
        ("products", products::schema().sdl_with_options(opts())),
        ("reviews", reviews::schema().sdl_with_options(opts())),
        ("inventory", inventory::schema().sdl_with_options(opts())),
        ("search", search::schema().sdl_with_options(opts())),
        ("ratings", ratings::SDL.to_owned()),
        ("identity", identity::SDL.to_owned()),
        ("billing", billing::SDL.to_owned()),
        ("blog", blog::BLOG_SDL.to_owned()),
        ("digest", blog::DIGEST_SDL.to_owned()),
    ]
}
