//! `TestRouter::builder()…start()`: subgraphs, composition, router.

use std::{collections::HashMap, sync::Arc};

use backbone_router::{
    compose::{SubgraphSdl, compose},
    graph::LiveGraph,
    http,
    pipeline::Pipeline,
    reload,
};
use serde_json::{Value, json};
use subgraph_kit::{
    auth::{TokenVerifier, claims_for, http_client, mint_hs256},
    config::{AuthConfig, RouterConfig},
    testkit::TEST_SECRET,
};
use uuid::Uuid;

/// A running router in front of the test subgraphs.
pub struct TestRouter {
    pub url: String,
    pub http: reqwest::Client,
    pub supergraph: String,
    pub auth: AuthConfig,
    /// What the hand-written ratings subgraph received.
    pub ratings: Arc<backbone_test_subgraphs::ratings::Traffic>,
    /// Each subgraph's URL.
    pub urls: HashMap<&'static str, String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

type Adjust = Box<dyn FnOnce(&mut RouterConfig)>;

#[derive(Default)]
pub struct Builder {
    down: Vec<&'static str>,
    config: Option<Adjust>,
}

impl TestRouter {
    pub fn builder() -> Builder {
        Builder::default()
    }
}

impl Builder {
    /// Subgraphs that are composed but not running.
    pub fn down(mut self, name: &'static str) -> Self {
        self.down.push(name);
        self
    }

    pub fn config(mut self, f: impl FnOnce(&mut RouterConfig) + 'static) -> Self {
        self.config = Some(Box::new(f));
        self
    }

    pub async fn start(self) -> TestRouter {
        use backbone_test_subgraphs as t;
        let mut tasks = Vec::new();
        let mut urls = HashMap::new();
        let ratings = Arc::new(t::ratings::Traffic::default());
        for name in ["accounts", "products", "reviews", "inventory", "search", "ratings"] {
            let (addr, task) = match name {
                "accounts" => t::serve(t::accounts::schema(), 0).await,
                "products" => t::serve(t::products::schema(), 0).await,
                "reviews" => t::serve(t::reviews::schema(), 0).await,
                "inventory" => t::serve(t::inventory::schema(), 0).await,
                "search" => t::serve(t::search::schema(), 0).await,
                _ => t::ratings::serve(0, ratings.clone()).await,
            }
            .expect("serve subgraph");
            if self.down.contains(&name) {
                task.abort();
            } else {
                tasks.push(task);
            }
            urls.insert(name, format!("http://{addr}/graphql"));
        }
        let sdls: Vec<SubgraphSdl> = t::sdls()
            .into_iter()
            .map(|(name, sdl)| SubgraphSdl { name: name.into(), url: urls[name].clone(), sdl })
            .collect();
        let supergraph = compose(&sdls).expect("compose test subgraphs");
        let mut config =
            RouterConfig { subgraph_timeout_ms: 2000, introspection: Some(true), ..RouterConfig::default() };
        if let Some(f) = self.config {
            f(&mut config);
        }
        let auth = AuthConfig { hs256_secret: Some(TEST_SECRET.to_owned().into()), ..AuthConfig::default() };
        let shared = reload::empty();
        shared.store(Some(Arc::new(LiveGraph::new(supergraph.clone(), &config).expect("graph"))));
        let pipeline = Arc::new(Pipeline {
            graph: shared,
            config: Arc::new(config),
            verifier: Arc::new(TokenVerifier::new(&auth)),
            api_keys: Default::default(),
            realtime: Default::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = http::app(pipeline);
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
        TestRouter {
            url: format!("http://{addr}/graphql"),
            http: http_client(),
            supergraph,
            auth,
            ratings,
            urls,
            tasks,
        }
    }
}

impl TestRouter {
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        self.post(json!({"query": query, "variables": variables})).await
    }

    pub async fn post(&self, body: Value) -> Value {
        self.http.post(&self.url).json(&body).send().await.expect("send").json().await.expect("json")
    }

    pub fn token(&self) -> String {
        mint_hs256(TEST_SECRET, &claims_for(&self.auth, Uuid::now_v7(), Uuid::now_v7(), &["staff"], 600))
            .expect("token")
    }
}

impl Drop for TestRouter {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The codes of a response's errors.
pub fn codes(v: &Value) -> Vec<String> {
    subgraph_kit::testkit::error_codes(v)
}
