//! `backbone-bench bench-sync`: devices uploading batches of events to the
//! sync subgraph. The dev graph runs in this process on Postgres (the
//! in-process bus and its outbox relay); `devices` devices, enrolled to
//! one health worker, send batches of `batch` new events each, from
//! `clients` connections at once, straight to the sync subgraph's
//! `/graphql`. Reported: batch latency (p50, p99), events acknowledged per
//! second, and events per second end to end (acknowledged and published on
//! the bus: the outbox drained).

use std::time::{Duration, Instant};

use anyhow::Context;
use backbone::{dev::DevGraph, seed};
use serde_json::{Value, json};
use subgraph_kit::{
    auth,
    config::{Config, DEV_HS256_SECRET},
};

/// Settings of the sync benchmark.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Simulated devices.
    pub devices: usize,
    /// Events per batch.
    pub batch: usize,
    /// Batches sent in all.
    pub batches: usize,
    /// Connections sending at once.
    pub clients: usize,
    /// The Postgres server's database URL.
    pub postgres_url: String,
    /// Outbox rows the relay publishes a pass (none: the default).
    pub relay_batch: Option<u64>,
}

const SEND: &str = "mutation($b: SyncBatchInput!) { syncEvents(batch: $b) { accepted rejected } }";

/// Runs the benchmark on a database of its own, dropped afterwards.
pub async fn run(s: SyncSettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let s = &s;
    super::scratch_db::measured_in(&s.postgres_url, |url| async move { measure(s, &url).await }).await
}

async fn measure(s: &SyncSettings, database_url: &str) -> anyhow::Result<()> {
    let mut config = Config { database_url: database_url.to_owned(), ..Config::default() };
    config.auth.hs256_secret = Some(DEV_HS256_SECRET.to_owned().into());
    config.http.port = 0;
    if let Some(rows) = s.relay_batch {
        config.outbox.batch_size = rows;
    }
    config.sections.update(subgraph_sync::NAME, |c: &mut subgraph_sync::config::SyncConfig| {
        c.max_batch_events = s.batch.max(1);
    })?;
    let graph = DevGraph::start(config).await?;
    let (tenant, users) = seed::seed(&graph.kit).await?;
    let token_of = |role: &str| -> anyhow::Result<String> {
        let user = users.iter().find(|u| u.role == role).context("role")?.id;
        let claims = auth::claims_for(&graph.kit.config.auth, tenant, user, &[role], 3600);
        Ok(auth::mint_hs256(DEV_HS256_SECRET, &claims)?)
    };
    let (admin, worker) = (token_of("tenant_admin")?, token_of("clinician")?);
    let worker_id = users.iter().find(|u| u.role == "clinician").context("clinician")?.id;
    let sync = graph.subgraphs.iter().find(|g| g.name == subgraph_sync::NAME).context("sync served")?;
    let url = format!("http://{}/graphql", sync.addr);
    let http = auth::http_client();
    let call = |token: &str, query: &str, variables: Value| {
        let request =
            http.post(&url).bearer_auth(token).json(&json!({"query": query, "variables": variables}));
        async move {
            let answer: Value = request.send().await?.json().await?;
            anyhow::ensure!(answer.get("errors").is_none(), "{answer}");
            anyhow::Ok(answer["data"].clone())
        }
    };
    let schema = json!({"type": "object", "required": ["patientId", "pulse"], "additionalProperties": false,
        "properties": {"patientId": {"type": "string", "format": "uuid"},
            "pulse": {"type": "integer", "minimum": 20, "maximum": 250}, "note": {"type": "string", "maxLength": 200}}});
    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let input = json!({"type": "vitals.recorded", "schemaVersion": 1, "stream": "APPEND",
        "subjectKey": "/patientId", "schema": schema});
    call(&admin, register, json!({"i": input})).await?;
    let mut devices = Vec::with_capacity(s.devices);
    for i in 0..s.devices {
        let q = "mutation($n: String!) { enrollSyncDevice(name: $n) { id } }";
        let d = call(&worker, q, json!({"n": format!("tablet {i}")})).await?;
        devices.push(d["enrollSyncDevice"]["id"].as_str().context("device id")?.to_owned());
    }
    println!(
        "\npostgres: {} devices, batches of {} events, {} batches from {} connections; relay passes of {} rows",
        s.devices, s.batch, s.batches, s.clients, graph.kit.config.outbox.batch_size
    );

    let started = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let sender = |_: usize| async {
        let mut latencies = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n >= s.batches {
                break;
            }
            let device = &devices[n % devices.len()];
            let now = chrono::Utc::now().to_rfc3339();
            let events: Vec<Value> = (0..s.batch)
                .map(|i| json!({"clientEventId": format!("b{n}-{i}"), "deviceId": device, "type": "vitals.recorded",
                    "schemaVersion": 1, "clientTime": now, "payload": {"patientId": worker_id, "pulse": 60 + (i % 40)}}))
                .collect();
            let t = Instant::now();
            let data = call(&worker, SEND, json!({"b": {"sentAt": now, "events": events}})).await?;
            latencies.push(t.elapsed());
            let accepted = data["syncEvents"]["accepted"].as_u64().unwrap_or(0) as usize;
            anyhow::ensure!(accepted == s.batch, "batch {n}: {}", data["syncEvents"]);
        }
        anyhow::Ok(latencies)
    };
    let results = futures::future::join_all((0..s.clients).map(sender)).await;
    let acked_in = started.elapsed();
    let mut latencies = Vec::new();
    for r in results {
        latencies.extend(r?);
    }
    while subgraph_kit::outbox::pending(&graph.kit.db).await? > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let published_in = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let events = (s.batches * s.batch) as f64;
    println!(
        "postgres: {} events acknowledged in {:.1} s ({:.0} events/s), on the bus after {:.1} s ({:.0} events/s end to end)",
        events,
        acked_in.as_secs_f64(),
        events / acked_in.as_secs_f64(),
        published_in.as_secs_f64(),
        events / published_in.as_secs_f64()
    );
    println!(
        "postgres: batch latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    graph.stop();
    Ok(())
}
