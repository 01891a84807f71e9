//! The SDL every subgraph exports and the supergraph composed from them,
//! as checked in under `schema/graphql/` (`backbone compose` writes them; a
//! test fails when they drift).

use backbone_router::compose::{SubgraphSdl, compose};
use subgraph_kit::{Kit, bus::InProcessBus, config::Config, db};

/// Dev-mode URL of the subgraph at position `i` (router on 4000).
pub fn dev_url(i: usize) -> String {
    format!("http://127.0.0.1:{}/graphql", 4001 + i)
}

/// Each subgraph's name and exported SDL, built over an in-memory database.
pub async fn exported() -> anyhow::Result<Vec<SubgraphSdl>> {
    let conn = db::connect_and_migrate("sqlite::memory:").await?;
    let kit = Kit::from_parts(
        Config::default(),
        crate::subgraphs::catalog(),
        conn,
        std::sync::Arc::new(InProcessBus::default()),
    );
    Ok(crate::subgraphs::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| SubgraphSdl { name: s.name().into(), url: dev_url(i), sdl: s.sdl(&kit) })
        .collect())
}

/// The supergraph of the exported subgraphs with dev-mode URLs.
pub fn supergraph(subgraphs: &[SubgraphSdl]) -> anyhow::Result<String> {
    Ok(compose(subgraphs)?)
}
