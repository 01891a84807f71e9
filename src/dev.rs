//! Dev mode: every subgraph and the router in one process over one SQLite
//! file, with the outbox relay publishing to the in-process bus.

use std::net::SocketAddr;

use axum::Router;
use backbone_router::server::RouterServer;
use subgraph_consent::config::{ConsentConfig, DataService};
use subgraph_kit::{
    Kit,
    config::{Config, SubgraphConfig},
    serve,
};
use tokio::{net::TcpListener, task::JoinHandle};

/// What to start besides the servers.
#[derive(Debug, Clone, Copy)]
pub struct DevOptions {
    /// Run the outbox relay (default on).
    pub relay: bool,
}

impl Default for DevOptions {
    fn default() -> Self {
        Self { relay: true }
    }
}

/// One served subgraph.
pub struct Served {
    /// Subgraph name.
    pub name: &'static str,
    /// Where it listens.
    pub addr: SocketAddr,
}

/// A running dev graph.
pub struct DevGraph {
    /// The runtime shared by the subgraphs.
    pub kit: Kit,
    /// The router: `/graphql`, and the playground at `/`.
    pub front: SocketAddr,
    /// Each subgraph's own address.
    pub subgraphs: Vec<Served>,
    /// Where `/metrics` is served for the whole process, when
    /// `http.metrics_port` is set.
    pub metrics: Option<SocketAddr>,
    /// The router's pipeline (its graph and limits).
    pub router: std::sync::Arc<backbone_router::pipeline::Pipeline>,
    /// The router's subscription feeds.
    pub realtime: std::sync::Arc<backbone_router::subscribe::Realtime>,
    /// The playground's settings: `backbone` pre-fills its demo token.
    pub playground: std::sync::Arc<backbone_router::playground::Playground>,
    tasks: Vec<JoinHandle<()>>,
}

impl DevGraph {
    /// Starts everything on `config.http.host`: the router on
    /// `config.http.port` and subgraph N on `port + N` (0 = random ports).
    /// The router composes the subgraphs' live SDL and polls it for changes.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::start_with(config, DevOptions::default()).await
    }

    /// Like [`DevGraph::start`], with options (tests run the relay
    /// themselves to kill and restart it).
    pub async fn start_with(mut config: Config, options: DevOptions) -> anyhow::Result<Self> {
        config.validate()?;
        crate::subgraphs::check_config(&config)?;
        let host = config.http.host.clone();
        let port = config.http.port;
        let next = |n: u16| if port == 0 { 0 } else { port + n };
        // Bind every subgraph first: the consent, AI and memory subgraphs
        // call each other, so each must know the others' addresses.
        let mut listeners = Vec::new();
        for (i, subgraph) in crate::subgraphs::ALL.into_iter().enumerate() {
            let listener = crate::listen(&host, next(i as u16 + 1), subgraph.name()).await?;
            listeners.push((subgraph, listener.local_addr()?, listener));
        }
        let base = |name: &str| {
            listeners.iter().find(|(s, _, _)| s.name() == name).map(|(_, addr, _)| format!("http://{addr}"))
        };
        if config.services.consent_url.is_none() {
            config.services.consent_url = base(crate::subgraphs::CONSENT);
        }
        config.sections.update::<ConsentConfig>(crate::subgraphs::CONSENT, |consent| {
            if consent.data_services.is_empty() {
                consent.data_services = listeners
                    .iter()
                    .filter(|(s, _, _)| s.keeps_personal_data())
                    .map(|(s, addr, _)| DataService { name: s.name().into(), url: format!("http://{addr}") })
                    .collect();
            }
            if consent.public_url.is_none() {
                consent.public_url = base(crate::subgraphs::CONSENT);
            }
        })?;
        // The router's own listener, bound now so download links can name it.
        let front_listener = crate::listen(&host, port, "the router").await?;
        let front = front_listener.local_addr()?;
        config.sections.update::<subgraph_documents::config::DocumentsConfig>(
            subgraph_documents::NAME,
            |d| {
                if d.public_url.is_none() {
                    d.public_url = Some(format!("http://{front}/files/{}", subgraph_documents::NAME));
                }
            },
        )?;
        if config.http.metrics_port.is_some() {
            backbone_edge::metrics::install();
        }
        let kit = Kit::start(config, crate::subgraphs::catalog()).await?;
        let mut tasks = Vec::new();
        if options.relay {
            tasks.push(tokio::spawn(kit.relay().run(serve::shutdown_signal())));
            // Ends with the process; nothing to drain at shutdown.
            tokio::spawn(kit.rbac.clone().follow(kit.bus.clone()));
            tokio::spawn(kit.audit.clone().run(kit.db.clone()));
        }

        let mut subgraphs = Vec::new();
        let shutdown = subgraph_kit::subgraph::on_signal();
        for (subgraph, addr, listener) in listeners {
            subgraphs.push(Served { name: subgraph.name(), addr });
            tasks.push(spawn(listener, subgraph.app(&kit)));
            tasks.extend(subgraph.workers(&kit, shutdown.clone()));
        }

        let mut config = (*kit.config).clone();
        if config.router.subgraphs.is_empty() && config.router.supergraph_path.is_none() {
            config.router.subgraphs = subgraphs
                .iter()
                .map(|s| SubgraphConfig {
                    name: s.name.into(),
                    url: format!("http://{}/graphql", s.addr),
                    sdl_path: None,
                })
                .collect();
        }
        if config.router.api_key_exchange_url.is_none()
            && let Some(tenants) = subgraphs.iter().find(|s| s.name == subgraph_tenants::NAME)
        {
            config.router.api_key_exchange_url = Some(format!("http://{}/auth/api-key", tenants.addr));
        }
        let router = RouterServer::build(&crate::router_settings(&config), true).await?;
        tasks.push(router.spawn_poller(serve::shutdown_signal()));
        let (pipeline, realtime, playground) =
            (router.pipeline.clone(), router.realtime.clone(), router.playground.clone());
        tasks.push(spawn(front_listener, router.app));
        let metrics = crate::serve_metrics(&kit.config).await?;
        Ok(Self { kit, front, subgraphs, metrics, router: pipeline, realtime, playground, tasks })
    }

    /// Waits until every server has stopped (after ctrl-c or SIGTERM).
    pub async fn wait(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stops the servers, the outbox relay and the subgraphs' workers now
    /// (a benchmark's graph, before its database is dropped).
    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

fn spawn(listener: TcpListener, app: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(err) = serve::serve(listener, app, serve::shutdown_signal()).await {
            tracing::error!(error = %err, "server stopped");
        }
    })
}
