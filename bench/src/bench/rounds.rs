//! Comparisons smaller than a shared host's drift (`bench-overhead`,
//! `bench-merged`), between contenders (a router and the query it is
//! loaded with), two ways: [`rotate`] loads each in turn, in an order that
//! rotates each round, so drift falls on each alike, and reports
//! throughput, p99 and the router's user and kernel CPU time per request
//! (from `/proc`); [`interleave`] loads all at once and compares only
//! their CPU time per request, round by round. With `pinned`, the bench process (load generator and
//! subgraphs) keeps to core 0 and each router to core 1
//! ([`pin_bench_process`], [`ROUTER_CORE`]), so the router measured has a
//! core of its own and its CPU share says whether it was the bottleneck.

use std::process::Command as StdCommand;

use anyhow::Context;

use super::{Settings, load};

/// The wrapper that runs a router on core 1 alone.
const ROUTER_CORE: [&str; 3] = ["taskset", "-c", "1"];

/// With `pinned`, keeps this process on core 0 ([`pin_bench_process`])
/// and returns the wrapper that starts a router on core 1; else nothing.
pub(crate) fn placement(pinned: bool) -> anyhow::Result<Vec<String>> {
    if !pinned {
        return Ok(Vec::new());
    }
    pin_bench_process()?;
    println!("pinned: routers on core 1, load generator and subgraphs on core 0");
    Ok(ROUTER_CORE.iter().map(|s| (*s).to_owned()).collect())
}

/// Keeps every thread of this process, and the threads it starts later,
/// on core 0.
fn pin_bench_process() -> anyhow::Result<()> {
    let out = StdCommand::new("taskset")
        .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
        .output()
        .context("taskset (util-linux) is needed for --pin")?;
    anyhow::ensure!(out.status.success(), "taskset: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

/// One contender and what it measured, round by round.
pub(crate) struct Contender {
    pub(crate) name: &'static str,
    pub(crate) url: String,
    pub(crate) pid: u32,
    pub(crate) query: &'static str,
    rps: Vec<f64>,
    p99: Vec<f64>,
    /// Microseconds of user and of kernel CPU time per request.
    user_us: Vec<f64>,
    sys_us: Vec<f64>,
    /// The router's CPU time over the round's wall time (1.0 = one core).
    busy: Vec<f64>,
    /// CPU time per request over the first contender's, per interleaved
    /// round.
    ratio: Vec<f64>,
    errors: u64,
}

impl Contender {
    pub(crate) fn new(name: &'static str, url: &str, pid: u32, query: &'static str) -> Self {
        Self {
            name,
            url: url.to_owned(),
            pid,
            query,
            rps: Vec::new(),
            p99: Vec::new(),
            user_us: Vec::new(),
            sys_us: Vec::new(),
            busy: Vec::new(),
            ratio: Vec::new(),
            errors: 0,
        }
    }

    /// Mean CPU time per request over the first contender's in the same
    /// interleaved rounds, minus one (0.02 = 2 % more).
    pub(crate) fn cpu_over_first(&self) -> f64 {
        mean(&self.ratio) - 1.0
    }
}

/// User and kernel CPU time `pid` has used, in clock ticks of 10 ms
/// (Linux's `USER_HZ` of 100, what `/proc` counts in).
fn cpu_ticks(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?))
}

/// User and kernel microseconds per request between two [`cpu_ticks`]
/// readings over `served` requests; NaN when either reading is missing.
fn per_request(before: Option<(u64, u64)>, after: Option<(u64, u64)>, served: f64) -> (f64, f64) {
    match (before, after) {
        (Some((u0, s0)), Some((u1, s1))) if served > 0.0 => {
            ((u1 - u0) as f64 * 10_000.0 / served, (s1 - s0) as f64 * 10_000.0 / served)
        }
        _ => (f64::NAN, f64::NAN),
    }
}

/// Loads every contender `rounds` times, printing each round.
pub(crate) async fn rotate(contenders: &mut [Contender], settings: &Settings, rounds: usize) {
    println!(
        "\n{} clients, {} s per round after {} s warm-up, {rounds} rounds, order rotating each round",
        settings.clients, settings.seconds, settings.warmup
    );
    println!(
        "{:<28} {:>5} {:>9} {:>8} {:>8} {:>8} {:>6} {:>6}",
        "run", "round", "req/s", "p99 ms", "user µs", "sys µs", "busy", "errors"
    );
    let n = contenders.len();
    for round in 0..rounds {
        for i in 0..n {
            let c = &mut contenders[(round + i) % n];
            let before = cpu_ticks(c.pid);
            let started = std::time::Instant::now();
            let report = load::run_query(&c.url, c.query, settings).await;
            let wall = started.elapsed().as_secs_f64();
            // Warm-up requests are served too, at about the measured rate.
            let served = report.rps * (settings.seconds + settings.warmup) as f64;
            let (user, sys) = per_request(before, cpu_ticks(c.pid), served);
            // CPU seconds over wall seconds.
            let busy = (user + sys) * served / 1e6 / wall;
            println!(
                "{:<28} {:>5} {:>9.0} {:>8.2} {:>8.1} {:>8.1} {:>6.2} {:>6}",
                c.name,
                round + 1,
                report.rps,
                report.p99_ms,
                user,
                sys,
                busy,
                report.errors
            );
            c.rps.push(report.rps);
            c.p99.push(report.p99_ms);
            c.user_us.push(user);
            c.sys_us.push(sys);
            c.busy.push(busy);
            c.errors += report.errors;
        }
    }
}

/// Loads every contender at once, `rounds` times: each client sends one
/// request to each in turn (starting at a different one each cycle), so
/// all serve the same requests under the same host, second by second, and
/// only their CPU time per request can differ. No warm-up in a round
/// (every request served is counted); the caller warms up first.
pub(crate) async fn interleave(contenders: &mut [Contender], settings: &Settings, rounds: usize) {
    println!(
        "\n{} clients, each sending one request to each router in turn; {} s rounds, {rounds} rounds",
        settings.clients, settings.seconds
    );
    println!("{:<28} {:>5} {:>9} {:>8} {:>8} {:>9}", "run", "round", "req/s", "user µs", "sys µs", "CPU vs");
    let warm_up = Settings { warmup: 0, seconds: settings.warmup, ..settings.clone() };
    let settings = Settings { warmup: 0, ..settings.clone() };
    let targets: Vec<(String, Vec<u8>)> = contenders
        .iter()
        .map(|c| {
            (c.url.clone(), serde_json::to_vec(&serde_json::json!({"query": c.query})).unwrap_or_default())
        })
        .collect();
    let targets = std::sync::Arc::new(targets);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Round 0 warms up (connections, caches) and is not counted.
    for round in 0..=rounds {
        let before: Vec<_> = contenders.iter().map(|c| cpu_ticks(c.pid)).collect();
        let (targets, next) = (targets.clone(), next.clone());
        let load = if round == 0 { &warm_up } else { &settings };
        let report = load::drive(load, move |http: reqwest::Client| {
            let (targets, next) = (targets.clone(), next.clone());
            async move {
                let n = targets.len();
                let first = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut ok = true;
                for i in 0..n {
                    let (url, body) = &targets[(first + i) % n];
                    ok &= load::post_ok(&http, url, body.clone()).await;
                }
                ok
            }
        })
        .await;
        if round == 0 {
            continue;
        }
        // Every cycle the load counted sent one request to each.
        let served = report.rps * settings.seconds as f64;
        let mut first_cpu = f64::NAN;
        for (i, c) in contenders.iter_mut().enumerate() {
            let (user, sys) = per_request(before[i], cpu_ticks(c.pid), served);
            if i == 0 {
                first_cpu = user + sys;
            }
            println!(
                "{:<28} {:>5} {:>9.0} {:>8.1} {:>8.1} {:>7.1} %",
                c.name,
                round,
                report.rps,
                user,
                sys,
                (user + sys - first_cpu) / first_cpu * 100.0
            );
            c.rps.push(report.rps);
            c.p99.push(report.p99_ms);
            c.user_us.push(user);
            c.sys_us.push(sys);
            c.ratio.push((user + sys) / first_cpu);
            c.errors += report.errors;
        }
    }
}

/// Prints each contender's CPU time per request against the first's, as
/// the mean and spread of the rounds' ratios (each round's contenders saw
/// the same host); an error when any round answered with errors.
pub(crate) fn interleaved_summary(contenders: &[Contender]) -> anyhow::Result<()> {
    println!(
        "\n{:<28} {:>10} {:>9} {:>9} {:>10} {:>15}",
        "run", "mean req/s", "user µs", "sys µs", "CPU vs", "rounds min–max"
    );
    for c in contenders {
        let (lo, hi) = spread(&c.ratio);
        println!(
            "{:<28} {:>10.0} {:>9.1} {:>9.1} {:>8.2} % {:>15}",
            c.name,
            mean(&c.rps),
            mean(&c.user_us),
            mean(&c.sys_us),
            (mean(&c.ratio) - 1.0) * 100.0,
            format!("{:.1}–{:.1} %", (lo - 1.0) * 100.0, (hi - 1.0) * 100.0)
        );
    }
    println!(
        "(req/s: cycles of one request to each router; CPU vs: CPU time per request against the first run's, \
         the mean of the rounds' ratios)"
    );
    let failed: Vec<&str> = contenders.iter().filter(|c| c.errors > 0).map(|c| c.name).collect();
    anyhow::ensure!(
        failed.is_empty(),
        "runs answered with errors, so their numbers mean nothing: {failed:?}"
    );
    Ok(())
}

/// Prints each contender's means against the first's; an error when any
/// round answered with errors.
pub(crate) fn summary(contenders: &[Contender]) -> anyhow::Result<()> {
    println!(
        "\n{:<28} {:>10} {:>13} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "run", "mean req/s", "min–max", "p99 ms", "vs first", "user µs", "sys µs", "CPU vs", "busy"
    );
    let first = mean(&contenders[0].rps);
    let first_cpu = mean(&contenders[0].user_us) + mean(&contenders[0].sys_us);
    for c in contenders {
        let (lo, hi) = spread(&c.rps);
        let cpu = mean(&c.user_us) + mean(&c.sys_us);
        println!(
            "{:<28} {:>10.0} {:>13} {:>8.2} {:>7.1} % {:>9.1} {:>9.1} {:>7.1} % {:>6.2}",
            c.name,
            mean(&c.rps),
            format!("{lo:.0}–{hi:.0}"),
            mean(&c.p99),
            (first - mean(&c.rps)) / first * 100.0,
            mean(&c.user_us),
            mean(&c.sys_us),
            (cpu - first_cpu) / first_cpu * 100.0,
            mean(&c.busy)
        );
    }
    println!(
        "(vs first: throughput lost against the first run's mean; CPU vs: CPU time per request added; \
         busy: the router's cores in use, 1.00 = one core; negative = better)"
    );
    let failed: Vec<&str> = contenders.iter().filter(|c| c.errors > 0).map(|c| c.name).collect();
    anyhow::ensure!(
        failed.is_empty(),
        "runs answered with errors, so their numbers mean nothing: {failed:?}"
    );
    Ok(())
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn spread(xs: &[f64]) -> (f64, f64) {
    xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(*x), hi.max(*x)))
}
