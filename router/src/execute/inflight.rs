//! In-flight deduplication of identical subgraph queries: while one request
//! for the same subgraph, body and forwarded credentials is on the wire,
//! others wait for its answer instead of sending their own. Queries only;
//! mutations always go out. The key includes every forwarded header, so two
//! callers share an answer only when the subgraph could not tell them apart.

use std::{collections::HashMap, sync::Arc};

use futures::{
    FutureExt,
    future::{BoxFuture, Shared},
};
use parking_lot::Mutex;
use serde_json::Value;

type Flight = Shared<BoxFuture<'static, Result<Arc<Value>, String>>>;

/// The requests currently on the wire, by key.
#[derive(Default)]
pub(crate) struct InFlight {
    flights: Mutex<HashMap<u64, Flight>>,
}

impl InFlight {
    /// Joins the flight for `key`, or starts one with `start`.
    pub async fn join(
        &self,
        key: u64,
        start: impl FnOnce() -> BoxFuture<'static, Result<Arc<Value>, String>>,
    ) -> Result<Arc<Value>, String> {
        let flight = {
            let mut flights = self.flights.lock();
            flights.entry(key).or_insert_with(|| start().shared()).clone()
        };
        let out = flight.clone().await;
        // Whoever sees it finish first retires it; a later identical
        // request starts a fresh one.
        let mut flights = self.flights.lock();
        if flights.get(&key).is_some_and(|f| f.ptr_eq(&flight)) {
            flights.remove(&key);
        }
        out
    }
}

/// The deduplication key of a request.
pub(crate) fn key(service: &str, body: &[u8], headers: &reqwest::header::HeaderMap) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(service.as_bytes());
    h.update(&[0]);
    h.update(body);
    // Per-request ids say which request asked, not what it may see: two
    // requests differing only in them share one fetch (under the first
    // one's ids).
    let per_request = |n: &str| matches!(n, "x-request-id" | "traceparent" | "tracestate");
    for (name, value) in headers.iter().filter(|(n, _)| !per_request(n.as_str())) {
        h.update(&[0]);
        h.update(name.as_str().as_bytes());
        h.update(&[1]);
        h.update(value.as_bytes());
    }
    h.digest()
}
