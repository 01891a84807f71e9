//! `backbone-bench bench-subscriptions`: N WebSocket subscribers on one router,
//! each watching the same complaint through the router (with the
//! assignee's name resolved from the tenants subgraph), while the
//! complaint's status changes E times. For each change it measures, per
//! subscriber, the time from sending the mutation to receiving the event
//! (so commit, outbox relay, bus, subgraph subscription, the router's
//! entity fetch and fan-out are all inside it), and the router process's
//! memory per idle connection.
//!
//! The graph runs as its own process (`backbone` dev mode over a fresh
//! SQLite file), so its RSS is read from /proc without the load
//! generator's. Subscribers use `feeds` distinct tokens: identical
//! subscriptions with the same credentials share one upstream feed.

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde_json::json;
use subgraph_kit::{Kit, auth, config::Config, db};
use tokio::sync::{Notify, Semaphore};

use super::ChildRouter;
use backbone::{seed, wsclient::WsClient};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Subscriber counts to measure, one run each.
    pub subscribers: Vec<usize>,
    /// Status changes per run.
    pub events: usize,
    /// Distinct tokens (feeds) the subscribers are spread over.
    pub feeds: usize,
    /// Print each event's first, median, p99 and last delivery.
    pub per_round: bool,
    /// Also run the bare TCP fan-out (`floor`) for each subscriber count.
    pub floor: bool,
}

const WATCH: &str = "subscription($id: ID!) { complaintStatusChanged(complaintId: $id) { to complaint { status assignee { displayName } } } }";

/// Runs each subscriber count and prints a table.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    println!("subscription: {WATCH}");
    println!(
        "{} status changes per run, subscribers spread over {} token(s)\n",
        settings.events, settings.feeds
    );
    println!(
        "{:>11} {:>6} {:>10} {:>12} {:>9} {:>9} {:>9} {:>13} {:>8}",
        "subscribers",
        "feeds",
        "connect s",
        "idle kB/conn",
        "p50 ms",
        "p99 ms",
        "max ms",
        "deliveries/s",
        "missing"
    );
    for &n in &settings.subscribers {
        let row = one(n, &settings).await?;
        print_row(n, &settings, &row);
        if settings.floor {
            let f = super::floor::run(n, settings.events).await?;
            println!(
                "{:>11} {:>6} {:>10} {:>12} {:>9.1} {:>9.1} {:>9.1} {:>13} {:>8}   ← bare TCP, same fan-out",
                n, "-", "-", "-", f.latency.p50, f.latency.p99, f.latency.max, "-", f.missing
            );
        }
    }
    println!(
        "(latency = mutation sent → event received, per subscriber; idle kB/conn = router process RSS growth / subscribers)"
    );
    if settings.floor {
        println!(
            "(bare TCP = one process writing a {}-byte frame to N plain TCP sockets, one task each, no GraphQL/WebSocket/database)",
            super::floor::FRAME
        );
    }
    Ok(())
}

fn print_row(n: usize, settings: &Settings, row: &Row) {
    println!(
        "{:>11} {:>6} {:>10.1} {:>12.1} {:>9.1} {:>9.1} {:>9.1} {:>13.0} {:>8}",
        n,
        settings.feeds,
        row.connect_s,
        row.idle_kb,
        row.latency.p50,
        row.latency.p99,
        row.latency.max,
        row.deliveries_per_s,
        row.missing
    );
}

struct Row {
    connect_s: f64,
    idle_kb: f64,
    latency: Spread,
    deliveries_per_s: f64,
    missing: usize,
}

async fn one(n: usize, settings: &Settings) -> anyhow::Result<Row> {
    let dir = tempfile_dir()?;
    let db_url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    // Migrate and seed before the graph starts, to learn the ids.
    let conn = db::connect_and_migrate(&db_url).await?;
    let mut config = Config { database_url: db_url.clone(), ..Config::default() };
    config.auth.hs256_secret = Some(subgraph_kit::config::DEV_HS256_SECRET.to_owned().into());
    let kit = Kit::from_parts(
        config,
        backbone::subgraphs::catalog(),
        conn,
        Arc::new(subgraph_kit::bus::InProcessBus::default()),
    );
    let (tenant, users) = seed::seed(&kit).await?;
    let id_of = |role: &str| users.iter().find(|u| u.role == role).map(|u| u.id).context("seeded user");
    let token = |role: &'static str, ttl: i64| -> anyhow::Result<String> {
        let claims = auth::claims_for(&kit.config.auth, tenant, id_of(role)?, &[role], ttl);
        Ok(auth::mint_hs256(subgraph_kit::config::DEV_HS256_SECRET, &claims)?)
    };
    kit.db.clone().close().await?;

    let mut graph = spawn_dev(&db_url).await?;
    let result = async {
        let http = auth::http_client();
        let gql = |role: &'static str, query: &'static str, vars: serde_json::Value| {
            let (http, url, token) = (http.clone(), graph.url.clone(), token(role, 3600));
            async move {
                let body: serde_json::Value =
                    http.post(&url).bearer_auth(token?).json(&json!({"query": query, "variables": vars})).send().await?.json().await?;
                if body.get("errors").is_some() {
                    bail!("{body}");
                }
                anyhow::Ok(body)
            }
        };
        let team = gql("tenant_admin", "mutation { createComplaintTeam(name: \"Bench\") { id } }", json!({})).await?;
        let team = team["data"]["createComplaintTeam"]["id"].clone();
        gql("tenant_admin", "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }", json!({"t": team, "u": id_of("staff")?})).await?;
        gql("tenant_admin", "mutation($t: ID!) { addRoutingRule(teamId: $t) { id } }", json!({"t": team})).await?;
        let filed = gql("patient", "mutation { fileComplaint(input: {category: \"bench\", subject: \"Bench\", description: \"Bench\"}) { complaint { id } } }", json!({})).await?;
        let complaint = filed["data"]["fileComplaint"]["complaint"]["id"].as_str().context("complaint id")?.to_owned();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let base_kb = rss_kb(graph.child.id()).context("child RSS")?;

        // Connect and subscribe, 256 handshakes at a time. Each client
        // stamps its receipts into its own slots and only the last client
        // of a round wakes this task: a channel message per receipt would
        // wake this thread 10,000 times per event, CPU that the router on
        // these two cores would not get.
        let ws_url = graph.url.replacen("http", "ws", 1);
        let tokens: Vec<String> = (0..settings.feeds.max(1)).map(|i| token("staff", 3600 + i as i64)).collect::<anyhow::Result<_>>()?;
        let clock = Instant::now();
        let tally = Arc::new(Tally::new(n, settings.events));
        let gate = Arc::new(Semaphore::new(256));
        let started = Instant::now();
        let mut ready = Vec::with_capacity(n);
        for i in 0..n {
            let (gate, url, complaint, tally) = (gate.clone(), ws_url.clone(), complaint.clone(), tally.clone());
            let payload = json!({"Authorization": format!("Bearer {}", tokens[i % tokens.len()])});
            ready.push(tokio::spawn(async move {
                let permit = gate.acquire_owned().await?;
                let mut ws = WsClient::connect(&url, "graphql-transport-ws", payload).await?;
                ws.subscribe("1", WATCH, json!({"id": complaint})).await?;
                drop(permit);
                // Reads until the graph goes away, so the server side
                // closes first and client ports are not left in TIME_WAIT.
                tokio::spawn(async move {
                    let mut seen = 0;
                    while let Ok(m) = ws.next_text().await {
                        if m.contains(r#""type":"next""#) && seen < tally.events {
                            tally.stamp(i, seen, clock);
                            seen += 1;
                        }
                    }
                });
                anyhow::Ok(())
            }));
        }
        for r in ready {
            r.await??;
        }
        let connect_s = started.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let idle_kb = rss_kb(graph.child.id()).context("child RSS")?.saturating_sub(base_kb) as f64 / n as f64;

        let statuses = ["ACKNOWLEDGED", "IN_PROGRESS", "ON_HOLD"];
        let mut sent_at = Vec::with_capacity(settings.events);
        let mut last_of_round = Vec::with_capacity(settings.events);
        for k in 0..settings.events {
            let status = if k < 2 { statuses[k] } else { statuses[2 - k % 2] };
            let sent = Instant::now();
            sent_at.push(sent);
            gql("staff", "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }", json!({"id": complaint, "s": status})).await?;
            let _ = tokio::time::timeout(Duration::from_secs(30), tally.all_in(k)).await;
            last_of_round.push(sent.elapsed());
            if settings.per_round {
                let (round, missing) = tally.latencies(k, sent, clock);
                let s = Spread::of(round);
                eprintln!("round {k}: first {:.1} p50 {:.1} p99 {:.1} last {:.1} ms, {missing} missing", s.first, s.p50, s.p99, s.max);
            }
        }
        let (mut latencies, mut missing) = (Vec::with_capacity(n * settings.events), 0);
        for (k, sent) in sent_at.into_iter().enumerate() {
            let (round, lost) = tally.latencies(k, sent, clock);
            latencies.extend(round);
            missing += lost;
        }
        let fanout_total: Duration = last_of_round.iter().sum();
        Ok(Row {
            connect_s,
            idle_kb,
            latency: Spread::of(latencies),
            deliveries_per_s: (n * settings.events - missing) as f64 / fanout_total.as_secs_f64().max(1e-9),
            missing,
        })
    }
    .await;
    graph.stop();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Receipt times of every (client, event), written by the clients
/// themselves, and a count per event that wakes the bench when complete.
pub(super) struct Tally {
    pub(super) events: usize,
    clients: usize,
    /// Nanoseconds since the bench's clock + 1, per client and event; 0 =
    /// not received.
    at: Vec<AtomicU64>,
    received: Vec<AtomicUsize>,
    complete: Notify,
}

impl Tally {
    pub(super) fn new(clients: usize, events: usize) -> Self {
        Self {
            events,
            clients,
            at: (0..clients * events).map(|_| AtomicU64::new(0)).collect(),
            received: (0..events).map(|_| AtomicUsize::new(0)).collect(),
            complete: Notify::new(),
        }
    }

    pub(super) fn stamp(&self, client: usize, event: usize, clock: Instant) {
        let nanos = clock.elapsed().as_nanos() as u64 + 1;
        self.at[client * self.events + event].store(nanos, Ordering::Relaxed);
        if self.received[event].fetch_add(1, Ordering::AcqRel) + 1 == self.clients {
            self.complete.notify_one();
        }
    }

    /// Waits until every client has event `event`.
    pub(super) async fn all_in(&self, event: usize) {
        while self.received[event].load(Ordering::Acquire) < self.clients {
            self.complete.notified().await;
        }
    }

    /// Every client's latency for `event`, counted from `sent`, and how
    /// many clients have not received it.
    pub(super) fn latencies(&self, event: usize, sent: Instant, clock: Instant) -> (Vec<Duration>, usize) {
        let mut latencies = Vec::with_capacity(self.clients);
        for client in 0..self.clients {
            match self.at[client * self.events + event].load(Ordering::Acquire) {
                0 => {}
                nanos => {
                    latencies.push((clock + Duration::from_nanos(nanos - 1)).saturating_duration_since(sent))
                }
            }
        }
        let missing = self.clients - latencies.len();
        (latencies, missing)
    }
}

/// Where a set of latencies falls, in ms (NaN when there are none).
pub(super) struct Spread {
    /// Fastest.
    pub first: f64,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

impl Spread {
    pub(super) fn of(mut latencies: Vec<Duration>) -> Self {
        latencies.sort_unstable();
        let at = |p: f64| {
            let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
            latencies.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        };
        Self { first: at(0.0), p50: at(0.5), p99: at(0.99), max: at(1.0) }
    }
}

pub(crate) fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "backbone-bench-ws-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Starts dev mode (`backbone-bench dev`) on a free port over `db_url`.
async fn spawn_dev(db_url: &str) -> anyhow::Result<ChildRouter> {
    let mut cmd = Command::new(std::env::current_exe()?);
    for (key, _) in std::env::vars() {
        if key.starts_with("BACKBONE_") || key == "DATABASE_URL" || key == "REDIS_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.arg("dev")
        .env("DATABASE_URL", db_url)
        // Every port free: the router's and each subgraph's.
        .env("BACKBONE_HTTP__PORT", "0")
        .env("BACKBONE_AUTH__HS256_SECRET", subgraph_kit::config::DEV_HS256_SECRET)
        .env("BACKBONE_REALTIME__MAX_SUBSCRIPTIONS_PER_TENANT", "100000")
        .envs(super::WITHOUT_EDGE_LIMITS)
        .env("BACKBONE_LOG", "warn");
    super::spawn_reporting(cmd, backbone::child::DEV_GRAPHQL).await.context("start dev graph")
}

/// Current resident set of a process (VmRSS), in kB.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}
