//! `backbone-bench bench-overhead`: what metrics and traces cost the router
//! (docs/benchmarks.md). Three routers on the same supergraph run side by
//! side — plain, metrics on, metrics and 1 % traces to an OTLP sink — and
//! are loaded in rotating rounds ([`super::rounds`]), optionally each on a
//! core of its own.

use super::{
    QUERY, Settings,
    rounds::{self, Contender},
    serve::Recorder,
};

/// Runs `rounds` rounds and prints a table; with `pinned`, the routers
/// run on core 1 and the load generator and subgraphs on core 0; with
/// `interleaved`, the three are loaded at once ([`rounds::interleave`]).
pub async fn run(settings: Settings, rounds: usize, pinned: bool, interleaved: bool) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let wrapper = rounds::placement(pinned)?;
    let file = super::supergraph_over_http(Recorder::default()).await?;
    let sink = super::otlp_sink().await?;
    let traced = super::traced_env(&sink);
    let mut routers = Vec::new();
    let mut contenders = Vec::new();
    for (name, env) in [
        ("a  plain", &[][..]),
        ("m  metrics", &[("BACKBONE_HTTP__METRICS_PORT", "0")][..]),
        ("t  metrics + traces 1 %", &traced[..]),
    ] {
        let router = super::spawn_child_wrapped(&wrapper, &["router"], &file, env).await?;
        super::load::one(&router.url).await?;
        contenders.push(Contender::new(name, &router.url, router.child.id(), QUERY));
        routers.push(router);
    }
    if interleaved {
        rounds::interleave(&mut contenders, &settings, rounds).await;
    } else {
        rounds::rotate(&mut contenders, &settings, rounds).await;
    }
    for router in &mut routers {
        router.stop();
    }
    if interleaved { rounds::interleaved_summary(&contenders) } else { rounds::summary(&contenders) }
}
