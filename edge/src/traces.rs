//! OpenTelemetry traces over OTLP/HTTP (protobuf), one trace per request
//! across processes: the router starts it (sampling `tracing.sampling_ratio`
//! of requests), each subgraph fetch is a span whose context travels in
//! `traceparent`, each subgraph continues it from that header, and the
//! database queries SeaORM traces are spans under the subgraph's request.
//! Off (and free) unless `tracing.otlp_endpoint` is set.

use std::sync::atomic::{AtomicBool, Ordering};

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
        let ratio = config.sampling_ratio.clamp(0.0, 1.0);
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter, Tokio).build())
            // A request whose caller sampled it (the router, for a subgraph)
            // is kept; a new trace is kept at the ratio.
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio))))
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
        tracing_opentelemetry::layer().with_tracer(self.0.tracer("backbone"))
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
    if ON.load(Ordering::Relaxed) {
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
