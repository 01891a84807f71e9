//! Starting the router and keeping its graph current: the supergraph is
//! (re)built from its source every poll interval; a changed source is
//! recomposed and swapped atomically, a failed build keeps the old graph and
//! logs why.

use std::{sync::Arc, time::Duration};

use arc_swap::ArcSwapOption;
use backbone_edge::config::RouterConfig;

use crate::graph::{self, GraphError, LiveGraph, SharedGraph};

/// Loads the graph once. On failure the graph stays empty (the router
/// answers NOT_READY) and the poller keeps trying.
pub async fn load(
    config: &RouterConfig,
    shared: &SharedGraph,
    http: &reqwest::Client,
) -> Result<bool, GraphError> {
    let sdl = graph::supergraph_source(config, http).await?;
    if shared.load().as_ref().is_some_and(|g| g.supergraph_sdl == sdl) {
        return Ok(false);
    }
    let built = LiveGraph::new(sdl, config)?;
    shared.store(Some(Arc::new(built)));
    Ok(true)
}

/// A shared, initially empty graph handle.
pub fn empty() -> SharedGraph {
    Arc::new(ArcSwapOption::empty())
}

/// Polls for changes until `shutdown` resolves.
pub async fn poll(
    config: Arc<RouterConfig>,
    shared: SharedGraph,
    shutdown: impl std::future::Future<Output = ()>,
) {
    if config.poll_interval_seconds == 0 {
        return;
    }
    let http = backbone_edge::auth::http_client();
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(Duration::from_secs(config.poll_interval_seconds));
    tick.tick().await;
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        match load(&config, &shared, &http).await {
            Ok(true) => tracing::info!("supergraph changed; new graph in service"),
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "supergraph reload failed; keeping the current graph"),
        }
    }
}
