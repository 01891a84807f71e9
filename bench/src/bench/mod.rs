//! `backbone-bench bench`: the router under load, against the accounts /
//! products / reviews / inventory graph, with one nested query across all
//! four. Three runs:
//!
//! - **a — router → HTTP subgraphs**: the router as its own process (its
//!   peak RSS is read from /proc), subgraphs over keep-alive HTTP;
//! - **b — router, subgraphs in-process**: one process, no HTTP between
//!   router and subgraphs;
//! - **c — subgraphs alone (floor)**: the subgraph requests the router
//!   makes for one query, replayed directly in plan order.
//!
//! The load generator runs N concurrent keep-alive clients for a fixed
//! time after a warm-up and reports requests/s, p50/p99 and errors.

pub mod billing;
pub mod documents;
mod floor;
pub mod instructions;
mod load;
pub mod merged;
pub mod overhead;
pub mod privacy;
pub mod rest;
mod rounds;
pub mod scheduling;
mod scratch_db;
mod serve;
pub mod stack;
pub mod subscriptions;
pub mod sync;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};
use backbone_router::compose::{SubgraphSdl, compose};
use backbone_test_subgraphs as t;
pub use floor::serve as serve_floor;
pub use serve::serve_in_process;

/// The benchmark query: users → reviews → product → inventory, and top
/// products with a `@requires` field.
pub const QUERY: &str = "{ users { id name reviews { id body product { upc name price inStock } } } topProducts(first: 3) { upc name price inStock shippingEstimate } }";

/// Settings of one benchmark run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Concurrent clients.
    pub clients: usize,
    /// Measured seconds (after warm-up).
    pub seconds: u64,
    /// Warm-up seconds.
    pub warmup: u64,
    /// A Hive Router binary to measure the same way, for a same-machine
    /// comparison (`cargo install hive-router` provides `hive_router`).
    pub compare_hive: Option<PathBuf>,
}

impl Settings {
    /// The same run with one client: latency without queueing.
    fn solo(&self) -> Self {
        Self { clients: 1, ..self.clone() }
    }
}

/// Runs a, b and c and prints a table.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    println!("{}", machine());
    println!("query: {QUERY}");
    println!(
        "{} clients, {} s measured after {} s warm-up\n",
        settings.clients, settings.seconds, settings.warmup
    );
    let recorder = serve::Recorder::default();
    let file = supergraph_over_http(recorder.clone()).await?;

    let mut rows = Vec::new();
    let mut router = spawn_child(&["router"], &file, &[]).await?;
    let result = async {
        let url = router.url.clone();
        recorder.start();
        load::one(&url).await?;
        let recorded = recorder.stop();
        let report = load::run(&url, &settings).await;
        let solo = load::run(&url, &settings.solo()).await;
        rows.push(("a  router → HTTP subgraphs", report, solo, peak_rss_kb(router.child.id())));
        let floor = load::run_floor(recorded.clone(), &settings).await;
        let floor_solo = load::run_floor(recorded, &settings.solo()).await;
        rows.push(("c  subgraphs alone (floor)", floor, floor_solo, None));
        anyhow::Ok(())
    }
    .await;
    router.stop();
    result?;

    // The same router recording Prometheus metrics (served on a port of its
    // own), then with traces too, 1 % sampled, exported to an OTLP sink here.
    let metered = spawn_child(&["router"], &file, &[("BACKBONE_HTTP__METRICS_PORT", "0")]).await?;
    let (report, solo, rss) = measured(metered, &settings).await?;
    rows.push(("m  router, metrics on", report, solo, rss));
    let sink = otlp_sink().await?;
    let traced_env = traced_env(&sink);
    let (report, solo, rss) =
        measured(spawn_child(&["router"], &file, &traced_env).await?, &settings).await?;
    rows.push(("t  router, metrics + traces 1 %", report, solo, rss));

    if let Some(hive) = &settings.compare_hive {
        let (report, solo, rss) = measured(spawn_hive(hive, &file).await?, &settings).await?;
        rows.push(("h  hive-router → HTTP subgraphs", report, solo, rss));
    }

    let (report, solo, rss) = measured(spawn_child(&["bench-serve"], &file, &[]).await?, &settings).await?;
    rows.push(("b  router, subgraphs in-process", report, solo, rss));
    rows.sort_by(|x, y| x.0.cmp(y.0));

    println!(
        "{:<32} {:>8} {:>8} {:>8} {:>7} | {:>10} {:>10} | {:>8}",
        "run", "req/s", "p50 ms", "p99 ms", "errors", "1c p50 ms", "1c p99 ms", "RSS MB"
    );
    for (name, r, solo, rss) in &rows {
        let rss = rss.map_or("-".to_owned(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        println!(
            "{name:<32} {:>8.0} {:>8.2} {:>8.2} {:>7} | {:>10.3} {:>10.3} | {rss:>8}",
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.errors + solo.errors,
            solo.p50_ms,
            solo.p99_ms
        );
    }
    println!(
        "(req/s, p50, p99 with {} clients; 1c = one client, no contention; RSS = peak of the router process)",
        settings.clients
    );
    if let (Some(a), Some(c)) =
        (rows.iter().find(|r| r.0.starts_with('a')), rows.iter().find(|r| r.0.starts_with('c')))
    {
        println!("router's own share of p50 with one client (a − c): {:.3} ms", a.2.p50_ms - c.2.p50_ms);
    }
    // Fast errors are no result: a run with any is a failed benchmark.
    let failed: Vec<&str> =
        rows.iter().filter(|(_, r, solo, _)| r.errors + solo.errors > 0).map(|(name, ..)| *name).collect();
    if !failed.is_empty() {
        bail!("runs answered with errors, so their numbers mean nothing: {failed:?}");
    }
    Ok(())
}

/// Starts the four test subgraphs over HTTP (recording their requests into
/// `recorder`) and writes their supergraph to a temporary file.
async fn supergraph_over_http(recorder: serve::Recorder) -> anyhow::Result<PathBuf> {
    let subgraphs = serve::start_http_subgraphs(recorder).await?;
    let sdls: Vec<SubgraphSdl> = t::sdls()
        .into_iter()
        .filter(|(name, _)| subgraphs.iter().any(|(n, _)| n == name))
        .map(|(name, sdl)| {
            let url = subgraphs.iter().find(|(n, _)| *n == name).map(|(_, u)| u.clone()).unwrap_or_default();
            SubgraphSdl { name: name.into(), url, sdl }
        })
        .collect();
    let supergraph = compose(&sdls)?;
    let dir = std::env::temp_dir().join(format!("backbone-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("supergraph.graphql");
    std::fs::write(&file, &supergraph)?;
    Ok(file)
}

pub(crate) struct ChildRouter {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl ChildRouter {
    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Hive Router on the same supergraph (its env-var configuration).
async fn spawn_hive(binary: &PathBuf, supergraph: &PathBuf) -> anyhow::Result<ChildRouter> {
    let port = free_port()?;
    let child = Command::new(binary)
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env("SUPERGRAPH_FILE_PATH", supergraph)
        .env("LOG_LEVEL", "error")
        .stdout(Stdio::null())
        .spawn()
        .context("start hive router")?;
    wait_ready(ChildRouter { child, url: format!("http://127.0.0.1:{port}/graphql") }).await
}

/// Checks `router`'s answer, loads it with `settings` and with one client,
/// then stops it: the two reports and its peak RSS.
async fn measured(
    mut router: ChildRouter,
    settings: &Settings,
) -> anyhow::Result<(load::Report, load::Report, Option<u64>)> {
    let result = async {
        load::one(&router.url).await?;
        let report = load::run(&router.url, settings).await;
        let solo = load::run(&router.url, &settings.solo()).await;
        anyhow::Ok((report, solo, peak_rss_kb(router.child.id())))
    }
    .await;
    router.stop();
    result
}

/// The environment of a router with metrics on and 1 % of requests traced
/// to the OTLP sink at `sink`.
pub(crate) fn traced_env(sink: &str) -> [(&'static str, &str); 3] {
    [
        ("BACKBONE_HTTP__METRICS_PORT", "0"),
        ("BACKBONE_TRACING__OTLP_ENDPOINT", sink),
        ("BACKBONE_TRACING__SAMPLING_RATIO", "0.01"),
    ]
}

/// An OTLP/HTTP endpoint that accepts trace exports and drops them (what
/// a collector costs the router is the export itself, measured here).
pub(crate) async fn otlp_sink() -> anyhow::Result<String> {
    let app = axum::Router::new().route("/v1/traces", axum::routing::post(|| async { "" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(base)
}

/// A port free now, for Hive Router, which cannot report a port-0 address
/// (our own processes bind port 0 and print theirs: [`spawn_reporting`]).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until the router answers `{ __typename }`.
pub(crate) async fn wait_ready(mut router: ChildRouter) -> anyhow::Result<ChildRouter> {
    let http = subgraph_kit::auth::http_client();
    for _ in 0..150 {
        let probe = http.post(&router.url).json(&serde_json::json!({"query": "{ __typename }"})).send().await;
        if probe.is_ok_and(|r| r.status().is_success()) {
            return Ok(router);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    router.stop();
    bail!("router at {} did not become ready", router.url)
}

/// The router's edge rate limits off: a benchmark's load comes from one
/// address (and tenant) in bursts, and measures the router, not its edge
/// limits (as `bench-serve` does with `RateLimitConfig::off`).
pub(crate) const WITHOUT_EDGE_LIMITS: [(&str, &str); 4] = [
    ("BACKBONE_ROUTER__RATE_LIMITS__ANONYMOUS_PER_MINUTE", "0"),
    ("BACKBONE_ROUTER__RATE_LIMITS__FAILED_AUTH_PER_MINUTE", "0"),
    ("BACKBONE_ROUTER__RATE_LIMITS__TENANT_PER_SECOND", "0"),
    ("BACKBONE_ROUTER__RATE_LIMITS__PRINCIPAL_PER_SECOND", "0"),
];

pub(crate) async fn spawn_child(
    args: &[&str],
    supergraph: &PathBuf,
    env: &[(&str, &str)],
) -> anyhow::Result<ChildRouter> {
    spawn_child_wrapped(&[], args, supergraph, env).await
}

/// [`spawn_child`] run by `wrapper` (a program and its arguments, such as
/// valgrind) when it is not empty.
pub(crate) async fn spawn_child_wrapped(
    wrapper: &[String],
    args: &[&str],
    supergraph: &PathBuf,
    env: &[(&str, &str)],
) -> anyhow::Result<ChildRouter> {
    let mut cmd = match wrapper.split_first() {
        Some((program, rest)) => {
            let mut cmd = Command::new(program);
            cmd.args(rest).arg(std::env::current_exe()?);
            cmd
        }
        None => Command::new(std::env::current_exe()?),
    };
    for (key, _) in std::env::vars() {
        if key.starts_with("BACKBONE_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(args)
        .env("BACKBONE_HTTP__PORT", "0")
        .env("BACKBONE_ROUTER__SUPERGRAPH_PATH", supergraph)
        .env("BACKBONE_ROUTER__POLL_INTERVAL_SECONDS", "0")
        .env("BACKBONE_AUTH__HS256_SECRET", subgraph_kit::config::DEV_HS256_SECRET)
        .envs(WITHOUT_EDGE_LIMITS)
        .envs(env.iter().copied())
        .env("BACKBONE_LOG", "warn");
    spawn_reporting(cmd, backbone::child::LISTENING).await.context("start child router")
}

/// Starts a `backbone` process on port 0 and waits until it prints its
/// address (a line starting with `prefix`) and answers `{ __typename }`.
pub(crate) async fn spawn_reporting(mut cmd: Command, prefix: &'static str) -> anyhow::Result<ChildRouter> {
    let started = tokio::task::spawn_blocking(move || {
        backbone::child::spawn(&mut cmd, prefix, Duration::from_secs(120))
    })
    .await??;
    let url = format!("{}/graphql", started.base);
    wait_ready(ChildRouter { child: started.process, url }).await
}

/// Peak resident set of a process (VmHWM), in kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("machine: {cpu}, {cores} cores available")
}
