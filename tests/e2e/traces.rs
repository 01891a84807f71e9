//! OpenTelemetry traces (issue 19) across separate processes: the router
//! and every subgraph export over OTLP/HTTP to a receiver started here,
//! which decodes the real protobuf messages. One request is one trace:
//! the router's span, its fetch from each subgraph, each subgraph's
//! request span under that fetch (`traceparent`), and the subgraph's
//! database queries under its request.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Duration,
};

use crate::topology::TestStack;
use axum::{Router, body::Bytes, extract::State, routing::post};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse},
    common::v1::any_value::Value as Any,
};
use prost::Message;
use serde_json::{Value, json};
use std::sync::Mutex;

/// One received span: service, trace, id, parent, name.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    trace: Vec<u8>,
    id: Vec<u8>,
    parent: Vec<u8>,
    name: String,
}

type Spans = Arc<Mutex<Vec<Received>>>;

/// An OTLP/HTTP receiver: `POST /v1/traces` with a protobuf body.
async fn receiver() -> (String, Spans) {
    async fn accept(State(spans): State<Spans>, body: Bytes) -> Vec<u8> {
        let request = ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
        let mut spans = spans.lock().expect("lock");
        for resource in request.resource_spans {
            let service = resource
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|a| a.key == "service.name")
                .and_then(|a| match a.value.as_ref().and_then(|v| v.value.as_ref()) {
                    Some(Any::StringValue(s)) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in resource.scope_spans.into_iter().flat_map(|s| s.spans) {
                spans.push(Received {
                    service: service.clone(),
                    trace: span.trace_id,
                    id: span.span_id,
                    parent: span.parent_span_id,
                    name: span.name,
                });
            }
        }
        ExportTraceServiceResponse::default().encode_to_vec()
    }
    let spans = Spans::default();
    let app = Router::new().route("/v1/traces", post(accept)).with_state(spans.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, spans)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_is_one_trace_from_the_router_through_subgraphs_to_the_database() {
    let (otlp, spans) = receiver().await;
    let env = [
        ("BACKBONE_TRACING__OTLP_ENDPOINT", otlp.as_str()),
        ("BACKBONE_TRACING__SAMPLING_RATIO", "1"),
        // Export every 100 ms rather than every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];
    let stack = TestStack::start(1, &env).await;
    let seeded = stack.seed().expect("seed");
    let http = subgraph_kit::auth::http_client();
    let gql = |query: &str, variables: Value| {
        let req = http.post(stack.router(0)).bearer_auth(seeded.token("patient").expect("patient"));
        req.json(&json!({"query": query, "variables": variables})).send()
    };
    let filed: Value = gql("mutation { fileComplaint(input: {category: \"billing\", subject: \"Twice\", description: \"Charged twice\"}) { complaint { id } } }", json!({}))
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = filed["data"]["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let read =
        gql("query($id: ID!) { complaint(id: $id) { status reporter { displayName } } }", json!({"id": id}))
            .await
            .expect("send");
    let request_id = read.headers()["x-request-id"].to_str().expect("id").to_owned();
    let read: Value = read.json().await.expect("json");
    assert_eq!(read["data"]["complaint"]["reporter"]["displayName"], "Demo patient", "{read}");

    // The trace of the read: the router's request span with a fetch from
    // complaints and one from tenants, each subgraph's request span under
    // its fetch, and database spans under those.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let found = loop {
        let all = spans.lock().expect("lock").clone();
        let by_id: BTreeMap<&[u8], &Received> = all.iter().map(|s| (s.id.as_slice(), s)).collect();
        let fetches: Vec<&Received> =
            all.iter().filter(|s| s.service == "router" && s.name == "subgraph").collect();
        let traced = fetches.iter().find_map(|fetch| {
            let trace = &fetch.trace;
            let in_trace: Vec<&Received> = all.iter().filter(|s| &s.trace == trace).collect();
            let served: BTreeSet<&str> = in_trace
                .iter()
                .filter(|s| s.service != "router" && s.name == "request")
                .filter(|s| {
                    by_id
                        .get(s.parent.as_slice())
                        .is_some_and(|p| p.service == "router" && p.name == "subgraph")
                })
                .map(|s| s.service.as_str())
                .collect();
            let queried = in_trace.iter().any(|s| {
                s.service == "complaints"
                    && by_id.get(s.parent.as_slice()).is_some_and(|p| p.service == "complaints")
                    && s.name != "request"
            });
            (served.contains("complaints") && served.contains("tenants") && queried).then_some(in_trace.len())
        });
        if let Some(n) = traced {
            break n;
        }
        assert!(tokio::time::Instant::now() < deadline, "no complete trace of {request_id} among {all:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(found >= 5, "router request, two fetches, two subgraph requests, queries: {found}");
    stack.finish().await;
}
