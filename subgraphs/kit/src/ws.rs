//! GraphQL subscriptions over WebSocket for every subgraph: both
//! `graphql-transport-ws` and the legacy `graphql-ws`
//! (subscriptions-transport-ws), chosen by the client's subprotocol.
//!
//! Credentials come from the upgrade request's headers or, as browsers
//! cannot set headers on a WebSocket, from the `connection_init` payload
//! (`Authorization`, `authorization`, `x-api-key` or `token`). A payload
//! with bad credentials refuses the connection; no credentials gives an
//! anonymous connection whose subscriptions answer `UNAUTHENTICATED`.
//! A WebSocket ping frame goes out every `realtime.keepalive_seconds`, so
//! proxies keep idle subscriptions open and dead peers are noticed.

use std::time::Duration;

use async_graphql::{Data, ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt, channel::mpsc};

pub use backbone_edge::connection_init::headers_from;

use crate::{Auth, state::Kit};

/// Serves one upgraded socket until either side closes it.
pub async fn serve<Q, M, S>(
    socket: WebSocket,
    schema: Schema<Q, M, S>,
    protocol: GraphQLProtocol,
    kit: Kit,
    upgrade_auth: Auth,
) where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let (mut sink, stream) = socket.split();
    // GraphQL messages and keepalive pings share the one sink.
    let (tx, mut rx) = mpsc::channel::<Message>(16);
    let every = Duration::from_secs(kit.config.realtime.keepalive_seconds.max(1));
    let writer = tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            let message = tokio::select! {
                m = rx.next() => match m { Some(m) => m, None => break },
                _ = ticks.tick() => Message::Ping(Default::default()),
            };
            if sink.send(message).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let serving = GraphQLWebSocket::new_with_pair(tx, stream, schema, protocol)
        .on_connection_init(move |payload| async move {
            let auth = match headers_from(&payload) {
                Some(headers) => crate::caller::admitted(&headers, &kit, "ws").await,
                None => upgrade_auth,
            };
            if let Auth::Invalid(reason) = &auth {
                return Err(async_graphql::Error::new(format!("UNAUTHENTICATED: {reason}")));
            }
            crate::isolation::settle(crate::caller::isolation_of(&auth));
            let mut data = Data::default();
            data.insert(auth);
            data.insert(crate::revocation::Checked::default());
            Ok(data)
        })
        .serve();
    // The connection's caller is known at `connection_init`; until then its
    // subscriptions see no tenant's rows.
    crate::isolation::deferred(serving).await;
    let _ = writer.await;
}
