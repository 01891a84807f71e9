//! OpenTelemetry traces over OTLP/HTTP (protobuf), one trace per request
//! across processes: the router starts it (sampling `tracing.sampling_ratio`
//! of requests), each subgraph fetch is a span whose context travels in
//! `traceparent`, each subgraph continues it from that header, and the
//! database queries SeaORM traces are spans under the subgraph's request.
//! Off (and free) unless `tracing.otlp_endpoint` is set.
//!
//! The sampling decision is made before the request's span exists
//! ([`sample_here`], [`sampled_upstream`]). A traced request runs under a
//! dispatcher of its own ([`dispatch`]: the export layer and the log
//! layer), set for each poll of its future; every other request runs under
//! the process's global one, which has no export layer. So a request that
//! is not traced creates no span for the exporter and asks no filter about
//! one: the 99 % cost nothing but the sampling counter.

use std::sync::{
    OnceLock,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use axum::http::HeaderMap;
use opentelemetry::{global, trace::TracerProvider as _};
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{
    Resource,
    propagation::TraceContextPropagator,
    runtime::Tokio,
    trace::{Sampler, SdkTracerProvider, span_processor_with_async_runtime::BatchSpanProcessor},
};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::registry::LookupSpan;

use crate::config::TracingConfig;

static ON: AtomicBool = AtomicBool::new(false);
/// `tracing.sampling_ratio` as `f64` bits.
static RATIO: AtomicU64 = AtomicU64::new(0);
/// Requests [`sample_here`] has decided on.
static SEEN: AtomicU64 = AtomicU64::new(0);

/// The dispatcher traced requests run under ([`install`]).
static TRACED: OnceLock<tracing::Dispatch> = OnceLock::new();

/// Sets the dispatcher traced requests run under: the export layer
/// ([`Traces::layer`] filtered by [`Traces::levels`]) and the same log
/// layer as the global dispatcher. Once per process; later calls are
/// ignored.
pub fn install(dispatch: tracing::Dispatch) {
    let _ = TRACED.set(dispatch);
}

/// The dispatcher of traced requests, once [`install`]ed.
pub fn dispatch() -> Option<&'static tracing::Dispatch> {
    TRACED.get()
}

tokio::task_local! {
    /// Set (to `true`) for the task of a traced request.
    static IN_TRACE: bool;
}

/// Runs `fut` as a traced request's work: [`in_trace`] is true in it.
pub async fn traced<F: std::future::Future>(fut: F) -> F::Output {
    IN_TRACE.scope(true, fut).await
}

/// Whether the running task serves a traced request: the one cheap
/// question to ask before making a span only a trace would show.
pub fn in_trace() -> bool {
    IN_TRACE.try_with(|on| *on).unwrap_or(false)
}

/// Whether the router traces the request it is starting: one in every
/// `1 / sampling_ratio` requests, spread evenly.
pub fn sample_here() -> bool {
    if !ON.load(Ordering::Relaxed) {
        return false;
    }
    nth_is_sampled(SEEN.fetch_add(1, Ordering::Relaxed), f64::from_bits(RATIO.load(Ordering::Relaxed)))
}

/// Whether the `n`th request (from 0) is one of the `ratio` sampled: true
/// whenever `n · ratio` passes a whole number.
fn nth_is_sampled(n: u64, ratio: f64) -> bool {
    let n = n as f64;
    ((n + 1.0) * ratio).floor() > (n * ratio).floor()
}

/// Whether a `traceparent` value has the sampled flag.
fn flagged_sampled(traceparent: &str) -> bool {
    traceparent
        .rsplit('-')
        .next()
        .and_then(|flags| u8::from_str_radix(flags, 16).ok())
        .is_some_and(|flags| flags & 1 == 1)
}

/// Whether the caller (the router) traces this request: its `traceparent`
/// has the sampled flag.
pub fn sampled_upstream(headers: &HeaderMap) -> bool {
    ON.load(Ordering::Relaxed)
        && headers.get("traceparent").and_then(|v| v.to_str().ok()).is_some_and(flagged_sampled)
}

/// The process's trace export; [`Traces::shutdown`] flushes it.
pub struct Traces(SdkTracerProvider);

impl Traces {
    /// Starts exporting to `config.otlp_endpoint` as service `service`;
    /// `None` when no endpoint is set. Needs a Tokio runtime.
    pub fn start(config: &TracingConfig, service: &str) -> Result<Option<Self>, String> {
        let Some(endpoint) = config.otlp_endpoint.as_deref().filter(|e| !e.trim().is_empty()) else {
            return Ok(None);
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
            .with_http_client(crate::auth::http_client())
            .build()
            .map_err(|e| format!("tracing.otlp_endpoint: {e}"))?;
        RATIO.store(config.sampling_ratio.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter, Tokio).build())
            // Only sampled requests reach the exporter ([`dispatch`]).
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)))
            .with_resource(Resource::builder().with_service_name(service.to_owned()).build())
            .build();
        global::set_text_map_propagator(TraceContextPropagator::new());
        ON.store(true, Ordering::Relaxed);
        Ok(Some(Self(provider)))
    }

    /// The `tracing` layer turning spans into OpenTelemetry spans.
    pub fn layer<S>(
        &self,
    ) -> tracing_opentelemetry::OpenTelemetryLayer<S, opentelemetry_sdk::trace::SdkTracer>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.0.tracer("backbone"))
            .with_tracked_inactivity(false)
            .with_threads(false)
    }

    /// What the export layer of a traced request takes: spans at info and
    /// above, and SeaORM's query spans (trace level).
    pub fn levels() -> tracing_subscriber::filter::Targets {
        tracing_subscriber::filter::Targets::new()
            .with_default(tracing::Level::INFO)
            .with_target("sea_orm", tracing::Level::TRACE)
    }

    /// Exports what is buffered and stops.
    pub fn shutdown(&self) {
        if let Err(e) = self.0.shutdown() {
            tracing::warn!(error = %e, "trace export did not flush");
        }
    }
}

/// Adds the current span's context (`traceparent`) to `headers`, for a
/// call to another service.
pub fn inject(headers: &mut HeaderMap) {
    if in_trace() {
        let cx = tracing::Span::current().context();
        global::get_text_map_propagator(|p| p.inject_context(&cx, &mut HeaderInjector(headers)));
    }
}

/// Makes `span` continue the trace `headers` carry (`traceparent`).
pub fn continue_from(span: &tracing::Span, headers: &HeaderMap) {
    if ON.load(Ordering::Relaxed) {
        let cx = global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(headers)));
        let _ = span.set_parent(cx);
    }
}

#[cfg(test)]
mod tests {
    use super::{flagged_sampled, nth_is_sampled};

    #[test]
    fn the_ratio_is_kept_exactly_and_spread_evenly() {
        let picked: Vec<u64> = (0..1000).filter(|&n| nth_is_sampled(n, 0.01)).collect();
        assert_eq!(picked.len(), 10);
        assert!(picked.windows(2).all(|w| w[1] - w[0] == 100), "{picked:?}");
        assert_eq!((0..1000).filter(|&n| nth_is_sampled(n, 1.0)).count(), 1000);
        assert_eq!((0..1000).filter(|&n| nth_is_sampled(n, 0.0)).count(), 0);
        assert_eq!((0..1000).filter(|&n| nth_is_sampled(n, 0.25)).count(), 250);
    }

    #[test]
    fn only_a_sampled_traceparent_continues_a_trace() {
        assert!(flagged_sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assert!(!flagged_sampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        assert!(!flagged_sampled("garbage"));
        assert!(!flagged_sampled(""));
    }
}
