//! What the router records for Prometheus (`backbone_edge::metrics`; the
//! names are listed in docs/deploy.md). Operation names come from callers,
//! so they are capped; subgraph names come from the supergraph.

use std::{sync::LazyLock, time::Instant};

use backbone_edge::metrics::Bounded;

static OPERATIONS: LazyLock<Bounded> = LazyLock::new(|| Bounded::new(500));

/// The label of operation `name`.
pub fn operation(name: Option<&str>) -> String {
    OPERATIONS.label(name)
}

/// One GraphQL request answered: `outcome` is `ok`, `partial` (data with
/// errors) or the error code.
pub fn request(operation: String, outcome: &'static str, started: Instant) {
    let labels = [("operation", operation), ("outcome", outcome.to_owned())];
    metrics::counter!("backbone_router_requests_total", &labels).increment(1);
    metrics::histogram!("backbone_router_request_duration_seconds", &labels[..1])
        .record(started.elapsed().as_secs_f64());
}

/// One fetch from subgraph `service`.
pub fn fetch(service: &str, started: Instant, ok: bool) {
    let service = service.to_owned();
    metrics::histogram!("backbone_router_subgraph_request_duration_seconds", "subgraph" => service.clone())
        .record(started.elapsed().as_secs_f64());
    if !ok {
        metrics::counter!("backbone_router_subgraph_errors_total", "subgraph" => service).increment(1);
    }
}

/// A plan looked up: found in a cache, or planned.
pub fn plan_cache(hit: bool) {
    metrics::counter!("backbone_router_plan_cache_total", "result" => if hit { "hit" } else { "miss" })
        .increment(1);
}

/// Counts something open (a WebSocket, a subscription) while it lives.
pub struct Open(&'static str);

impl Open {
    /// One more `gauge` open until this is dropped.
    pub fn new(gauge: &'static str) -> Self {
        metrics::gauge!(gauge).increment(1.0);
        Self(gauge)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        metrics::gauge!(self.0).decrement(1.0);
    }
}
