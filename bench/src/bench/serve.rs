//! The benchmark's subgraphs: over HTTP with request recording (runs a and
//! c), or in the router's own process (run b, `backbone-bench bench-serve`).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{ObjectType, Schema, SubscriptionType};
use axum::{Router, body::Bytes, extract::State, http::HeaderMap, response::IntoResponse, routing::post};
use backbone_router::{execute::LocalSubgraph, graph::LiveGraph, http, pipeline::Pipeline, reload};
use backbone_test_subgraphs as t;
use futures::{FutureExt, future::BoxFuture};
use parking_lot::Mutex;
use serde_json::Value;
use subgraph_kit::{auth::TokenVerifier, config::Config, serve};

/// One subgraph request: (URL, body).
pub type Request = (String, Vec<u8>);

/// Subgraph requests recorded while one routed query ran.
pub type Recorded = Arc<Vec<Request>>;

/// Records subgraph requests between `start` and `stop`.
#[derive(Clone, Default)]
pub struct Recorder {
    on: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Recorder {
    /// Starts recording.
    pub fn start(&self) {
        self.seen.lock().clear();
        self.on.store(true, Ordering::SeqCst);
    }

    /// Stops recording and returns what was seen, in arrival order.
    pub fn stop(&self) -> Recorded {
        self.on.store(false, Ordering::SeqCst);
        Arc::new(std::mem::take(&mut *self.seen.lock()))
    }
}

#[derive(Clone)]
struct Served {
    subgraph: Arc<dyn LocalSubgraph>,
    recorder: Recorder,
    url: Arc<Mutex<String>>,
}

async fn handle(State(s): State<Served>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    if s.recorder.on.load(Ordering::SeqCst) {
        s.recorder.seen.lock().push((s.url.lock().clone(), body.to_vec()));
    }
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    axum::Json(s.subgraph.execute(value, &headers).await)
}

async fn start_one(subgraph: Arc<dyn LocalSubgraph>, recorder: Recorder) -> anyhow::Result<String> {
    let url = Arc::new(Mutex::new(String::new()));
    let app = Router::new().route("/graphql", post(handle)).with_state(Served {
        subgraph,
        recorder,
        url: url.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let full = format!("http://{}/graphql", listener.local_addr()?);
    *url.lock() = full.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(full)
}

/// Starts accounts, products, reviews and inventory over HTTP.
pub async fn start_http_subgraphs(recorder: Recorder) -> anyhow::Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("accounts", start_one(Arc::new(InProcess(t::accounts::schema())), recorder.clone()).await?),
        ("products", start_one(Arc::new(InProcess(t::products::schema())), recorder.clone()).await?),
        ("reviews", start_one(Arc::new(InProcess(t::reviews::schema())), recorder.clone()).await?),
        ("inventory", start_one(Arc::new(InProcess(t::inventory::schema())), recorder).await?),
    ])
}

struct InProcess<Q, M, S>(Schema<Q, M, S>);

impl<Q, M, S> LocalSubgraph for InProcess<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    fn execute(&self, body: Value, _headers: &reqwest::header::HeaderMap) -> BoxFuture<'static, Value> {
        let schema = self.0.clone();
        async move {
            let request: async_graphql::Request = match serde_json::from_value(body) {
                Ok(r) => r,
                Err(e) => return serde_json::json!({"errors": [{"message": format!("not a GraphQL request: {e}")}]}),
            };
            serde_json::to_value(schema.execute(request).await).unwrap_or(Value::Null)
        }
        .boxed()
    }
}

/// `backbone-bench bench-serve`: the router with the four subgraphs in its own
/// process, serving HTTP until ctrl-c.
pub async fn serve_in_process(config: Config) -> anyhow::Result<()> {
    let path = config
        .router
        .supergraph_path
        .clone()
        .ok_or_else(|| anyhow::anyhow!("router.supergraph_path is required"))?;
    let sdl = std::fs::read_to_string(path)?;
    let mut graph = LiveGraph::new(sdl, &config.router)?;
    graph.client.set_local("accounts", Arc::new(InProcess(t::accounts::schema())));
    graph.client.set_local("products", Arc::new(InProcess(t::products::schema())));
    graph.client.set_local("reviews", Arc::new(InProcess(t::reviews::schema())));
    graph.client.set_local("inventory", Arc::new(InProcess(t::inventory::schema())));
    let shared = reload::empty();
    shared.store(Some(Arc::new(graph)));
    let pipeline = Arc::new(Pipeline {
        graph: shared,
        config: Arc::new(config.router.clone()),
        verifier: Arc::new(TokenVerifier::new(&config.auth)),
        api_keys: Default::default(),
        // The load comes from one address: the benchmark measures the
        // router, not its edge limits.
        rate: backbone_router::rate::RateLimits::new(&subgraph_kit::config::RateLimitConfig::off()),
    });
    let listener = tokio::net::TcpListener::bind((config.http.host.as_str(), config.http.port)).await?;
    println!("{}http://{}/graphql", backbone::child::LISTENING, listener.local_addr()?);
    serve::serve(listener, http::app(pipeline, Default::default(), None, None), serve::shutdown_signal())
        .await?;
    Ok(())
}
