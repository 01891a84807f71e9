//! Assembling a router from configuration: the shared graph, the request
//! pipeline, the HTTP app and the hot-reload poller.

use std::sync::Arc;

use backbone_edge::{
    auth::{TokenVerifier, http_client},
    config::{AuthConfig, RateLimitConfig, RealtimeConfig, RouterConfig},
};

use crate::{
    graph::GraphError,
    http,
    pipeline::Pipeline,
    playground::Playground,
    rate::{RateLimits, shared::SharedBuckets},
    reload,
    rest::{Rest, idempotency::Idempotency, table::Table},
    subscribe::Realtime,
};

/// What a router reads from configuration: the `router`, `auth` and
/// `realtime` sections and the Redis its rate buckets are shared through.
#[derive(Debug, Clone, Default)]
pub struct RouterSettings {
    /// The router's own section.
    pub router: RouterConfig,
    /// How tokens are verified.
    pub auth: AuthConfig,
    /// WebSocket limits and keepalives.
    pub realtime: RealtimeConfig,
    /// Redis for rate buckets shared across replicas (`REDIS_URL`).
    pub redis_url: Option<String>,
}

/// A router ready to serve.
pub struct RouterServer {
    /// The request pipeline (and through it the live graph).
    pub pipeline: Arc<Pipeline>,
    /// Open subscription feeds and their limits.
    pub realtime: Arc<Realtime>,
    /// The playground page's settings (dev mode sets its demo token).
    pub playground: Arc<Playground>,
    /// The HTTP app.
    pub app: axum::Router,
}

impl RouterServer {
    /// Builds the router and loads its first graph. `dev` marks dev mode:
    /// the first load must succeed (otherwise the router starts empty,
    /// answering NOT_READY, and the poller keeps trying) and introspection
    /// and the playground default to on.
    pub async fn build(config: &RouterSettings, dev: bool) -> Result<Self, GraphError> {
        let shared = reload::empty();
        let mut router_config = config.router.clone();
        router_config.introspection.get_or_insert(dev);
        router_config.playground.get_or_insert(dev);
        let router_config = Arc::new(router_config);
        match reload::load(&router_config, &shared, &http_client()).await {
            Ok(_) => tracing::info!("supergraph loaded"),
            Err(e) if dev => return Err(e),
            Err(e) => tracing::warn!(error = %e, "no supergraph yet; retrying every poll interval"),
        }
        let rate = rate_limits(config.redis_url.as_deref(), &router_config.rate_limits).await;
        let pipeline = Arc::new(Pipeline {
            rate,
            graph: shared,
            config: router_config,
            verifier: Arc::new(TokenVerifier::new(&config.auth)),
            api_keys: Default::default(),
        });
        let realtime = Arc::new(Realtime::new(config.realtime.clone()));
        let rest = rest(&pipeline, &realtime, config.redis_url.as_deref()).await?;
        let playground = Arc::new(Playground::default());
        let page = pipeline.config.playground.unwrap_or(false).then(|| playground.clone());
        let app = http::app(pipeline.clone(), realtime.clone(), rest, page);
        Ok(Self { pipeline, realtime, playground, app })
    }

    /// Polls for supergraph changes until `shutdown` resolves.
    pub fn spawn_poller(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(reload::poll(self.pipeline.config.clone(), self.pipeline.graph.clone(), shutdown))
    }
}

/// The REST layer (`router.rest`), its idempotency keys in Redis when the
/// router has one.
async fn rest(
    pipeline: &Arc<Pipeline>,
    realtime: &Arc<Realtime>,
    redis_url: Option<&str>,
) -> Result<Option<Arc<Rest>>, GraphError> {
    let config = &pipeline.config.rest;
    if !config.enabled {
        return Ok(None);
    }
    let table = match &config.routes_dir {
        Some(dir) => Table::from_dir(dir),
        None => Table::built_in(),
    }
    .map_err(|e| GraphError::Source(e.to_string()))?;
    let ttl = std::time::Duration::from_secs(config.idempotency_ttl_seconds);
    let redis = match redis_url {
        None => None,
        Some(url) => match redis_connection(url).await {
            Ok(conn) => Some((conn, format!("{}:idem:", pipeline.config.rate_limits.redis_prefix))),
            Err(e) => {
                tracing::warn!(error = %e, "Redis did not answer; idempotency keys are per router until restart");
                None
            }
        },
    };
    Ok(Some(Arc::new(Rest::new(pipeline.clone(), realtime.clone(), table, Idempotency::new(ttl, redis)))))
}

async fn redis_connection(url: &str) -> redis::RedisResult<redis::aio::ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_response_timeout(std::time::Duration::from_millis(500))
        .set_connection_timeout(std::time::Duration::from_millis(500))
        .set_number_of_retries(1);
    redis::aio::ConnectionManager::new_with_config(redis::Client::open(url)?, config).await
}

/// Rate buckets shared through Redis when `redis_url` is set (and Redis
/// answers at start-up), else this process's own.
async fn rate_limits(redis_url: Option<&str>, limits: &RateLimitConfig) -> RateLimits {
    let Some(url) = redis_url else { return RateLimits::new(limits) };
    match SharedBuckets::connect(url, &limits.redis_prefix).await {
        Ok(redis) => RateLimits::shared(limits, redis),
        Err(e) => {
            tracing::warn!(error = %e, "Redis did not answer; rate limits are per router until restart");
            RateLimits::new(limits)
        }
    }
}
