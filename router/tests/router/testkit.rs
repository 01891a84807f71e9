//! `TestRouter::builder()…start()`: subgraphs, composition, router.

use std::{collections::HashMap, sync::Arc};

use backbone_edge::{
    auth::{TokenVerifier, claims_for, http_client, mint_hs256},
    config::{AuthConfig, RouterConfig},
};
use backbone_router::{
    compose::{SubgraphSdl, compose},
    graph::LiveGraph,
    http,
    pipeline::Pipeline,
    rate::{RateLimits, shared::SharedBuckets},
    reload,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// The HS256 secret test tokens are signed with.
pub const TEST_SECRET: &str = "backbone-router-test-secret-0123456789abcdef";

/// A running router in front of the test subgraphs.
pub struct TestRouter {
    pub url: String,
    pub http: reqwest::Client,
    pub supergraph: String,
    pub auth: AuthConfig,
    /// What the hand-written ratings subgraph received.
    pub ratings: Arc<backbone_test_subgraphs::ratings::Traffic>,
    /// The typenames the interface-object subgraph received.
    pub billing: Arc<backbone_test_subgraphs::billing::Traffic>,
    /// The representations the requiring subgraph (digest) received.
    pub digest: Arc<backbone_test_subgraphs::blog::Traffic>,
    /// Each subgraph's URL.
    pub urls: HashMap<&'static str, String>,
    /// Cuttable proxies in front of subgraphs.
    pub proxies: HashMap<&'static str, Proxy>,
    /// Its subscription feeds.
    pub realtime: Arc<backbone_router::subscribe::Realtime>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

type Adjust = Box<dyn FnOnce(&mut RouterConfig)>;

#[derive(Default)]
pub struct Builder {
    down: Vec<&'static str>,
    proxied: Vec<&'static str>,
    config: Option<Adjust>,
    shared_rates: Option<String>,
    apollo: bool,
}

impl TestRouter {
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A router on our supergraph and one on Apollo's, each named, for a
    /// test that must pass on both.
    pub async fn on_both() -> [(&'static str, TestRouter); 2] {
        [("ours", Self::builder().start().await), ("apollo", Self::builder().apollo().start().await)]
    }
}

impl Builder {
    /// Subgraphs that are composed but not running.
    pub fn down(mut self, name: &'static str) -> Self {
        self.down.push(name);
        self
    }

    /// Subgraphs reached through a TCP proxy the test can cut.
    pub fn proxied(mut self, name: &'static str) -> Self {
        self.proxied.push(name);
        self
    }

    /// Rate buckets shared through the Redis at `url` (under the
    /// configured `rate_limits.redis_prefix`).
    pub fn shared_rates(mut self, url: &str) -> Self {
        self.shared_rates = Some(url.to_owned());
        self
    }

    /// Serves the supergraph Apollo's composer wrote for the test
    /// subgraphs (`fixtures/apollo.graphql`) instead of ours.
    pub fn apollo(mut self) -> Self {
        self.apollo = true;
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
        let mut proxies = HashMap::new();
        let ratings = Arc::new(t::ratings::Traffic::default());
        let billing = Arc::new(t::billing::Traffic::default());
        let digest = Arc::new(t::blog::Traffic::default());
        let names = [
            "accounts",
            "products",
            "reviews",
            "inventory",
            "search",
            "ratings",
            "identity",
            "billing",
            "blog",
            "digest",
        ];
        for name in names {
            let (addr, task) = match name {
                "blog" => t::serve_dynamic(t::blog::blog().expect("blog schema"), 0).await,
                "digest" => {
                    t::serve_dynamic(t::blog::digest(digest.clone()).expect("digest schema"), 0).await
                }
                "identity" => t::serve_dynamic(t::identity::schema().expect("identity schema"), 0).await,
                "billing" => {
                    t::serve_dynamic(t::billing::schema(billing.clone()).expect("billing schema"), 0).await
                }
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
            let addr = if self.proxied.contains(&name) {
                let proxy = Proxy::start(addr).await;
                let front = proxy.addr;
                proxies.insert(name, proxy);
                front
            } else {
                addr
            };
            urls.insert(name, format!("http://{addr}/graphql"));
        }
        let sdls: Vec<SubgraphSdl> = t::sdls()
            .into_iter()
            .map(|(name, sdl)| SubgraphSdl { name: name.into(), url: urls[name].clone(), sdl })
            .collect();
        let supergraph = if self.apollo {
            crate::fixtures::apollo_supergraph(&urls)
        } else {
            compose(&sdls).expect("compose test subgraphs")
        };
        let mut config =
            RouterConfig { subgraph_timeout_ms: 2000, introspection: Some(true), ..RouterConfig::default() };
        if let Some(f) = self.config {
            f(&mut config);
        }
        let auth = AuthConfig { hs256_secret: Some(TEST_SECRET.to_owned().into()), ..AuthConfig::default() };
        let shared = reload::empty();
        shared.store(Some(Arc::new(LiveGraph::new(supergraph.clone(), &config).expect("graph"))));
        let rate = match &self.shared_rates {
            None => RateLimits::new(&config.rate_limits),
            Some(url) => {
                let redis =
                    SharedBuckets::connect(url, &config.rate_limits.redis_prefix).await.expect("redis");
                RateLimits::shared(&config.rate_limits, redis)
            }
        };
        let pipeline = Arc::new(Pipeline {
            graph: shared,
            rate,
            config: Arc::new(config),
            verifier: Arc::new(TokenVerifier::new(&auth)),
            api_keys: Default::default(),
        });
        let realtime = Arc::new(backbone_router::subscribe::Realtime::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = http::app(pipeline.clone(), realtime.clone(), None, None);
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await;
        }));
        TestRouter {
            url: format!("http://{addr}/graphql"),
            http: http_client(),
            supergraph,
            auth,
            ratings,
            billing,
            digest,
            urls,
            proxies,
            realtime,
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
        self.token_in(Uuid::now_v7())
    }

    /// A token for a new user of `tenant`.
    pub fn token_in(&self, tenant: Uuid) -> String {
        mint_hs256(TEST_SECRET, &claims_for(&self.auth, tenant, Uuid::now_v7(), &["staff"], 600))
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
    v["errors"]
        .as_array()
        .map(|errs| errs.iter().filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A TCP proxy in front of a subgraph; cutting it drops every connection
/// at once, as a crashed subgraph would.
pub struct Proxy {
    pub addr: std::net::SocketAddr,
    open: Arc<std::sync::atomic::AtomicUsize>,
    tasks: Arc<parking_lot::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    pub async fn start(target: std::net::SocketAddr) -> Self {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Arc<parking_lot::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (o, t) = (open.clone(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let o = o.clone();
                o.fetch_add(1, Ordering::SeqCst);
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                    o.fetch_sub(1, Ordering::SeqCst);
                });
                t.lock().push(conn.abort_handle());
            }
        });
        tasks.lock().push(accept.abort_handle());
        Self { addr, open, tasks }
    }

    /// Connections open through the proxy.
    pub fn open(&self) -> usize {
        self.open.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Drops every connection and stops accepting.
    pub fn cut(&self) {
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
    }
}

/// A bare graphql-transport-ws client for router tests.
pub struct Ws(tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>);

impl Ws {
    pub async fn connect(http_url: &str, protocol: &str) -> Self {
        use futures::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = http_url.replacen("http", "ws", 1).into_client_request().expect("request");
        request.headers_mut().insert("sec-websocket-protocol", protocol.parse().expect("protocol"));
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
        ws.send(tokio_tungstenite::tungstenite::Message::Text(
            json!({"type": "connection_init"}).to_string().into(),
        ))
        .await
        .expect("init");
        let ack = ws.next().await.expect("ack").expect("ack");
        assert!(ack.to_text().expect("text").contains("connection_ack"));
        Self(ws)
    }

    pub async fn send(&mut self, v: Value) {
        use futures::SinkExt;
        self.0.send(tokio_tungstenite::tungstenite::Message::Text(v.to_string().into())).await.expect("send");
    }

    /// The next JSON message other than pings, within 5 s.
    pub async fn next(&mut self) -> Value {
        use futures::StreamExt;
        loop {
            let m = tokio::time::timeout(std::time::Duration::from_secs(5), self.0.next())
                .await
                .expect("a message in time")
                .expect("open")
                .expect("frame");
            if let Ok(text) = m.to_text()
                && !text.is_empty()
            {
                let v: Value = serde_json::from_str(text).expect("json");
                if v["type"] != "ping" && v["type"] != "ka" {
                    return v;
                }
            }
        }
    }
}
