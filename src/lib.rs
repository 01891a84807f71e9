//! Backbone: one GraphQL graph for health and education SaaS.
//!
//! This crate is the CLI and the process composition: [`dev`] starts every
//! subgraph built so far in one process; the binary's other commands run a
//! single subgraph, migrate, mint dev tokens and seed demo data.

pub mod child;
pub mod dev;
pub mod schemas;
pub mod stack;
pub mod subgraphs;

/// Demo data (lives with the tenants domain).
pub use subgraph_tenants::domain::demo as seed;
pub mod wsclient;

use subgraph_kit::config::{Config, DEV_HS256_SECRET};

/// Dev mode: when no token verification is configured, use the well-known
/// dev secret so `backbone` works with no setup. Production commands refuse
/// to start without a configured secret or JWKS URL instead.
pub fn with_dev_auth(mut config: Config) -> Config {
    if config.auth.hs256_secret.is_none() && config.auth.jwks_url.is_none() {
        config.auth.hs256_secret = Some(DEV_HS256_SECRET.to_owned().into());
    }
    config
}

/// The sections of `config` the router reads.
pub fn router_settings(config: &Config) -> backbone_router::server::RouterSettings {
    backbone_router::server::RouterSettings {
        router: config.router.clone(),
        auth: config.auth.clone(),
        realtime: config.realtime.clone(),
        redis_url: config.redis_url.clone(),
    }
}

/// `backbone router`: the federation router alone, until ctrl-c or SIGTERM.
pub async fn serve_router(config: Config) -> anyhow::Result<()> {
    if config.auth.hs256_secret.is_none() && config.auth.jwks_url.is_none() {
        anyhow::bail!(
            "set BACKBONE_AUTH__HS256_SECRET or BACKBONE_AUTH__JWKS_URL: the router verifies tokens"
        );
    }
    if config.router.supergraph_path.is_none() && config.router.subgraphs.is_empty() {
        anyhow::bail!(
            "the router has nothing to route: set router.supergraph_path (BACKBONE_ROUTER__SUPERGRAPH_PATH, an \
             Apollo supergraph file) or list the subgraphs to compose under [[router.subgraphs]] (name, url)"
        );
    }
    let listener = listen(&config.http.host, config.http.port, "the router").await?;
    serve_metrics(&config).await?;
    let server = backbone_router::server::RouterServer::build(&router_settings(&config), false).await?;
    let poller = server.spawn_poller(subgraph_kit::serve::shutdown_signal());
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "router serving");
    // The line an orchestrator or test reads to learn a port-0 address.
    println!("{}http://{addr}/graphql", child::LISTENING);
    subgraph_kit::serve::serve(listener, server.app, subgraph_kit::serve::shutdown_signal()).await?;
    let _ = poller.await;
    Ok(())
}

/// Serves Prometheus `/metrics` on `http.metrics_port` when it is set,
/// printing `metrics on http://…/metrics` (port 0 picks a free one). Only
/// then is a recorder installed: without one, recording costs nothing.
pub async fn serve_metrics(config: &Config) -> anyhow::Result<Option<std::net::SocketAddr>> {
    let Some(port) = config.http.metrics_port else { return Ok(None) };
    backbone_edge::metrics::install();
    let listener = listen(&config.http.host, port, "the metrics endpoint").await?;
    let addr = listener.local_addr()?;
    println!("{}http://{addr}/metrics", child::METRICS);
    tokio::spawn(subgraph_kit::serve::serve(
        listener,
        backbone_edge::metrics::app(),
        subgraph_kit::serve::shutdown_signal(),
    ));
    Ok(Some(addr))
}

/// Listens on `host:port` for `what`; an address in use or refused is an
/// error naming it and the key that moves it.
pub async fn listen(host: &str, port: u16, what: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind((host, port)).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => "the port is in use by another process".to_owned(),
            std::io::ErrorKind::PermissionDenied => "not allowed to listen there".to_owned(),
            _ => e.to_string(),
        };
        anyhow::anyhow!("{what} cannot listen on {host}:{port}: {why} (set http.port / BACKBONE_HTTP__PORT, 0 for any free port)")
    })
}

/// Logs to stderr, filtered by `BACKBONE_LOG` (default: info, with the
/// database drivers at warn): JSON lines when `BACKBONE_LOG_FORMAT=json`
/// or when stderr is not a terminal (a container, a file), text when
/// `BACKBONE_LOG_FORMAT=text`; colour only on a terminal.
///
/// With `traces`, a traced request runs under a dispatcher of its own
/// (the same log layer and the OTLP export layer), so no other request
/// pays for export.
pub fn init_logging(traces: Option<&backbone_edge::traces::Traces>) {
    use std::io::IsTerminal;
    use tracing_subscriber::{
        EnvFilter, Layer, fmt, layer::SubscriberExt, registry::LookupSpan, util::SubscriberInitExt,
    };
    let terminal = std::io::stderr().is_terminal();
    let format = std::env::var("BACKBONE_LOG_FORMAT").ok();
    let json = match format.as_deref() {
        Some("json") => true,
        Some("text") => false,
        _ => !terminal,
    };
    fn log<S>(json: bool, terminal: bool) -> Box<dyn Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    {
        let filter =
            EnvFilter::try_from_env("BACKBONE_LOG").unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
        if json {
            fmt::layer().json().flatten_event(true).with_writer(std::io::stderr).with_filter(filter).boxed()
        } else {
            fmt::layer().with_ansi(terminal).with_writer(std::io::stderr).with_filter(filter).boxed()
        }
    }
    tracing_subscriber::registry().with(log(json, terminal)).init();
    // Traced requests run under their own dispatcher: export and logs.
    if let Some(traces) = traces {
        let traced = tracing_subscriber::registry()
            .with(traces.layer().with_filter(backbone_edge::traces::Traces::levels()))
            .with(log(json, terminal));
        backbone_edge::traces::install(tracing::Dispatch::new(traced));
    }
    if let Some(other) = format.filter(|f| f != "json" && f != "text") {
        tracing::warn!(value = %other, "BACKBONE_LOG_FORMAT is json or text; using the default");
    }
}
