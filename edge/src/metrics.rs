//! Prometheus metrics: one recorder per process (the `metrics` facade, the
//! `metrics-exporter-prometheus` recorder), rendered at `/metrics` on the
//! process's metrics port (`http.metrics_port`), never on the public one.
//! Names and what each label may hold are in docs/deploy.md; no label ever
//! holds a tenant, a user or anything a caller types except operation
//! names, which are capped ([`Bounded`]).

use std::{collections::HashSet, sync::OnceLock};

use axum::{Router, http::header, response::IntoResponse, routing::get};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use parking_lot::Mutex;

/// Histogram buckets of every latency, in seconds.
pub const LATENCY_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls return it). Call it
/// before anything records: until then the facade drops what is recorded.
/// `None` when another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(LATENCY_BUCKETS).ok()?;
            builder
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// `GET /metrics` in the Prometheus text format.
pub fn app() -> Router {
    Router::new().route("/metrics", get(render))
}

async fn render() -> axum::response::Response {
    match install() {
        Some(handle) => {
            handle.run_upkeep();
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
        }
        None => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// A label whose values come from callers (operation names), capped at
/// `limit` distinct values; later ones are `other`, so a client sending a
/// fresh name per request cannot grow the metrics without end.
pub struct Bounded {
    seen: Mutex<HashSet<String>>,
    limit: usize,
}

impl Bounded {
    /// A label with at most `limit` distinct values.
    pub fn new(limit: usize) -> Self {
        Self { seen: Mutex::new(HashSet::new()), limit }
    }

    /// The value to record for `value` (`anonymous` when there is none).
    pub fn label(&self, value: Option<&str>) -> String {
        let Some(value) = value.filter(|v| !v.is_empty() && v.len() <= 100) else {
            return if value.is_some() { "other".into() } else { "anonymous".into() };
        };
        let mut seen = self.seen.lock();
        if seen.contains(value) {
            return value.to_owned();
        }
        if seen.len() < self.limit {
            seen.insert(value.to_owned());
            return value.to_owned();
        }
        "other".into()
    }
}

#[cfg(test)]
mod tests {
    use super::Bounded;

    #[test]
    fn caller_chosen_labels_are_capped() {
        let b = Bounded::new(2);
        assert_eq!(b.label(Some("A")), "A");
        assert_eq!(b.label(Some("B")), "B");
        assert_eq!(b.label(Some("C")), "other");
        assert_eq!(b.label(Some("A")), "A");
        assert_eq!(b.label(None), "anonymous");
        assert_eq!(b.label(Some(&"x".repeat(101))), "other");
    }
}
