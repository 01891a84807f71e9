//! Dev mode: every subgraph in one process over one SQLite file, with the
//! outbox relay publishing to the in-process bus.

use std::net::SocketAddr;

use axum::{Router, response::Html, routing::get};
use subgraph_kit::{Kit, config::Config, serve};
use tokio::{net::TcpListener, task::JoinHandle};

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
    /// The front door (until the router exists: the tenants subgraph with
    /// a playground at `/`).
    pub front: SocketAddr,
    /// Each subgraph's own address.
    pub subgraphs: Vec<Served>,
    tasks: Vec<JoinHandle<()>>,
}

impl DevGraph {
    /// Starts everything on `config.http.host`: the front door on
    /// `config.http.port` and subgraph N on `port + N` (0 = random ports).
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let kit = Kit::start(config).await?;
        let host = kit.config.http.host.clone();
        let port = kit.config.http.port;
        let next = |n: u16| if port == 0 { 0 } else { port + n };
        let mut tasks = Vec::new();
        let relay = kit.relay();
        tasks.push(tokio::spawn(relay.run(serve::shutdown_signal())));

        let tenants = subgraph_tenants::app(&kit);
        let listener = TcpListener::bind((host.as_str(), next(1))).await?;
        let subgraphs = vec![Served { name: subgraph_tenants::NAME, addr: listener.local_addr()? }];
        tasks.push(spawn(listener, tenants.clone()));

        let front = Router::new().route("/", get(playground)).merge(tenants);
        let listener = TcpListener::bind((host.as_str(), port)).await?;
        let front_addr = listener.local_addr()?;
        tasks.push(spawn(listener, front));
        Ok(Self { kit, front: front_addr, subgraphs, tasks })
    }

    /// Waits until every server has stopped (after ctrl-c or SIGTERM).
    pub async fn wait(self) {
        for task in self.tasks {
            let _ = task.await;
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

async fn playground() -> Html<String> {
    Html(async_graphql::http::playground_source(async_graphql::http::GraphQLPlaygroundConfig::new(
        "/graphql",
    )))
}
