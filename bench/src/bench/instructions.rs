//! `backbone-bench bench-overhead --instructions N`: what metrics and
//! traces cost the router in instructions per request, counted by
//! callgrind (docs/benchmarks.md). Unlike throughput on a shared host, the
//! count repeats: each router (plain, metrics, metrics and 1 % traces) runs
//! under `valgrind --tool=callgrind` with counting off; after a warm-up,
//! counting is switched on for exactly `N` requests from a few clients and
//! the counters are dumped. Everything the router process executes is
//! counted: its request path, the trace exporter's task, the metrics
//! recorder.

use std::{
    path::{Path, PathBuf},
    process::Command as StdCommand,
    time::Duration,
};

use anyhow::{Context, bail};
use serde_json::json;

use super::{ChildRouter, QUERY};

/// Requests sent before counting starts (connections, caches, plans).
const WARM_UP: usize = 300;
/// Clients sending at once while counting.
const CLIENTS: usize = 4;

/// Counts the three routers' instructions per request over `requests`.
pub async fn run(requests: usize) -> anyhow::Result<()> {
    let dir = dump_dir()?;
    let file = super::supergraph_over_http(super::serve::Recorder::default()).await?;
    let sink = super::otlp_sink().await?;
    let traced = super::traced_env(&sink);
    let mut counts = Vec::new();
    for (name, env) in [
        ("a  plain", &[][..]),
        ("m  metrics", &[("BACKBONE_HTTP__METRICS_PORT", "0")][..]),
        ("t  metrics + traces 1 %", &traced[..]),
    ] {
        let out = dir.join(format!("callgrind.{}", &name[..1]));
        let mut router = under_callgrind(&file, env, &out).await?;
        let ir = count_each(&router, &out, requests, &[QUERY]).await;
        router.stop();
        let ir = ir?[0];
        println!("{name:<26} {ir:>14} instructions, {:>10.0} per request", ir as f64 / requests as f64);
        counts.push((name, ir as f64 / requests as f64));
    }
    let plain = counts[0].1;
    println!("\n{:<26} {:>14} {:>9}", "run", "Ir / request", "vs plain");
    for (name, per) in &counts {
        println!("{name:<26} {per:>14.0} {:>7.1} %", (per - plain) / plain * 100.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Prints the machine and valgrind's version; a new directory for the
/// dumps (the caller removes it).
pub(crate) fn dump_dir() -> anyhow::Result<PathBuf> {
    println!("{}", super::machine());
    let status =
        StdCommand::new("valgrind").arg("--version").output().context("valgrind is not installed")?;
    println!("{}", String::from_utf8_lossy(&status.stdout).trim());
    let dir = std::env::temp_dir().join(format!("backbone-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A router under callgrind with counting off, dumping to `out`.
pub(crate) async fn under_callgrind(
    supergraph: &PathBuf,
    env: &[(&str, &str)],
    out: &Path,
) -> anyhow::Result<ChildRouter> {
    let wrapper = [
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        "-q".to_owned(),
        "--instr-atstart=no".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
    ];
    super::spawn_child_wrapped(&wrapper, &["router"], supergraph, env).await
}

/// Warms `router` up with each of `queries`, then counts `requests`
/// requests of each in turn (one dump each): their totals, in order.
pub(crate) async fn count_each(
    router: &ChildRouter,
    out: &Path,
    requests: usize,
    queries: &[&str],
) -> anyhow::Result<Vec<u64>> {
    let pid = router.child.id().to_string();
    for query in queries {
        send(&router.url, WARM_UP, query).await?;
    }
    control(&["--instr=on", &pid])?;
    let mut totals = Vec::new();
    for (i, query) in queries.iter().enumerate() {
        control(&["--zero", &pid])?;
        send(&router.url, requests, query).await?;
        control(&["--dump", &pid])?;
        totals.push(dumped_total(out, i + 1).await?);
    }
    Ok(totals)
}

/// Sends `query` `n` times from [`CLIENTS`] clients; every answer must be
/// whole.
async fn send(url: &str, n: usize, query: &str) -> anyhow::Result<()> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let client = |_| async {
        let http = subgraph_kit::auth::http_client();
        while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
            let body: serde_json::Value =
                http.post(url).json(&json!({"query": query})).send().await?.json().await?;
            anyhow::ensure!(body.get("errors").is_none() && body["data"]["users"].is_array(), "{body}");
        }
        anyhow::Ok(())
    };
    for r in futures::future::join_all((0..CLIENTS).map(client)).await {
        r?;
    }
    Ok(())
}

fn control(args: &[&str]) -> anyhow::Result<()> {
    let out = StdCommand::new("callgrind_control").args(args).output().context("callgrind_control")?;
    anyhow::ensure!(
        out.status.success(),
        "callgrind_control {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// The `summary:` of callgrind's `n`th dump (`out.n`), once it is complete.
async fn dumped_total(out: &Path, n: usize) -> anyhow::Result<u64> {
    let name = out.file_name().and_then(|n| n.to_str()).context("dump name")?;
    let file = out.with_file_name(format!("{name}.{n}"));
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let total =
                text.lines().find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")));
            if let Some(ir) = total.and_then(|t| t.split_whitespace().next()?.parse().ok()) {
                return Ok(ir);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no complete callgrind dump at {}", file.display())
}
