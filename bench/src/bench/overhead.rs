//! `backbone-bench bench-overhead`: what metrics and traces cost the router
//! (docs/benchmarks.md). Three routers on the same supergraph run side by
//! side — plain, metrics on, metrics and 1 % traces to an OTLP sink — and
//! are loaded one at a time, in rounds whose order rotates, so drift in a
//! noisy machine falls on each alike. Reported: each one's mean and spread
//! over the rounds, and the overhead of the means; and the router
//! process's CPU time per request (from `/proc`), which a neighbour on a
//! shared host moves far less than throughput.

use super::{ChildRouter, Settings, load, serve::Recorder};

/// One router under test and what it measured, round by round.
struct Run {
    name: &'static str,
    router: ChildRouter,
    rps: Vec<f64>,
    p99: Vec<f64>,
    /// CPU microseconds the router spent per request, per round.
    cpu_us: Vec<f64>,
    errors: u64,
}

/// The CPU time `pid` has used (user + system), in clock ticks of 10 ms
/// (Linux's `USER_HZ` of 100, what `/proc` counts in).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Runs `rounds` rounds and prints a table.
pub async fn run(settings: Settings, rounds: usize) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let file = super::supergraph_over_http(Recorder::default()).await?;
    let sink = super::otlp_sink().await?;
    let traced = super::traced_env(&sink);
    let mut runs = Vec::new();
    for (name, env) in [
        ("a  plain", &[][..]),
        ("m  metrics", &[("BACKBONE_HTTP__METRICS_PORT", "0")][..]),
        ("t  metrics + traces 1 %", &traced[..]),
    ] {
        let router = super::spawn_child(&["router"], &file, env).await?;
        load::one(&router.url).await?;
        runs.push(Run { name, router, rps: Vec::new(), p99: Vec::new(), cpu_us: Vec::new(), errors: 0 });
    }
    println!(
        "\n{} clients, {} s per round after {} s warm-up, {rounds} rounds, order rotating each round",
        settings.clients, settings.seconds, settings.warmup
    );
    println!(
        "{:<26} {:>6} {:>10} {:>9} {:>11} {:>7}",
        "run", "round", "req/s", "p99 ms", "CPU µs/req", "errors"
    );
    for round in 0..rounds {
        for i in 0..runs.len() {
            let n = runs.len();
            let run = &mut runs[(round + i) % n];
            let pid = run.router.child.id();
            let before = cpu_ticks(pid);
            let report = load::run(&run.router.url, &settings).await;
            // Warm-up requests are served too, at about the measured rate.
            let served = report.rps * (settings.seconds + settings.warmup) as f64;
            let cpu_us = match (before, cpu_ticks(pid)) {
                (Some(b), Some(a)) if served > 0.0 => (a - b) as f64 * 10_000.0 / served,
                _ => f64::NAN,
            };
            println!(
                "{:<26} {:>6} {:>10.0} {:>9.2} {:>11.1} {:>7}",
                run.name,
                round + 1,
                report.rps,
                report.p99_ms,
                cpu_us,
                report.errors
            );
            run.cpu_us.push(cpu_us);
            run.rps.push(report.rps);
            run.p99.push(report.p99_ms);
            run.errors += report.errors;
        }
    }
    for run in &mut runs {
        run.router.stop();
    }

    println!(
        "\n{:<26} {:>10} {:>19} {:>12} {:>10} {:>11} {:>10}",
        "run", "mean req/s", "min–max", "mean p99 ms", "vs plain", "CPU µs/req", "vs plain"
    );
    let plain = mean(&runs[0].rps);
    let plain_cpu = mean(&runs[0].cpu_us);
    for run in &runs {
        let (lo, hi) = spread(&run.rps);
        let cpu = mean(&run.cpu_us);
        println!(
            "{:<26} {:>10.0} {:>19} {:>12.2} {:>9.1} % {:>11.1} {:>9.1} %",
            run.name,
            mean(&run.rps),
            format!("{lo:.0}–{hi:.0}"),
            mean(&run.p99),
            (plain - mean(&run.rps)) / plain * 100.0,
            cpu,
            (cpu - plain_cpu) / plain_cpu * 100.0
        );
    }
    println!(
        "(vs plain: the throughput lost against the plain router's mean, and the CPU per request added; negative = better)"
    );
    let failed: Vec<&str> = runs.iter().filter(|r| r.errors > 0).map(|r| r.name).collect();
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
