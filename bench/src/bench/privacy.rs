//! `backbone-bench bench-privacy`: `hasConsent` through the router under load,
//! and memory recall over 10k / 100k memories of one person on SQLite and
//! Postgres (docs/benchmarks.md).
//!
//! Recall is measured at the memory domain: the change-counter check, the
//! query's embedding and an exact scan of every vector. "Cold" is the first
//! recall after a change (all rows read from the database as bytes); "warm"
//! is every later one (vectors cached in process, still scanned in full).

use std::time::Instant;

use anyhow::Context;
use backbone_entities::memory::entry;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::json;
use subgraph_kit::{
    Kit, auth,
    config::{Config, DEV_HS256_SECRET},
};
use subgraph_memory::domain::{
    embed::{self, LOCAL_NAME},
    snapshot::{self, Filters},
    store,
};
use uuid::Uuid;

use super::{Settings, load};
use backbone::{dev::DevGraph, seed};

/// Settings of the privacy benchmark.
#[derive(Debug, Clone)]
pub struct PrivacySettings {
    /// Load settings for `hasConsent`.
    pub load: Settings,
    /// Memory counts, one recall run each.
    pub memories: Vec<usize>,
    /// Postgres URL for the Postgres recall runs (skipped when unset).
    pub postgres_url: Option<String>,
}

/// Runs both parts and prints tables.
pub async fn run(settings: PrivacySettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    has_consent(&settings.load).await?;
    println!("\nrecall (local embedder, 256 dims, k = 5, one person's memories, exact scan)");
    println!(
        "{:>10} {:>8} {:>10} {:>10} {:>10} {:>12} {:>15} {:>8}",
        "database",
        "memories",
        "cold ms",
        "warm p50",
        "warm p99",
        "after add ms",
        "after forget ms",
        "queries"
    );
    for &n in &settings.memories {
        let dir = super::subscriptions::tempfile_dir()?;
        let sqlite = format!("sqlite://{}?mode=rwc", dir.join("recall.db").display());
        recall("sqlite", &sqlite, n).await?;
        if let Some(pg) = &settings.postgres_url {
            super::scratch_db::measured_in(pg, |url| async move { recall("postgres", &url, n).await })
                .await?;
        }
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

async fn has_consent(settings: &Settings) -> anyhow::Result<()> {
    let dir = super::subscriptions::tempfile_dir()?;
    let mut config = Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("consent.db").display()),
        ..Config::default()
    };
    config.auth.hs256_secret = Some(DEV_HS256_SECRET.to_owned().into());
    config.http.port = 0;
    // One patient from one address: measure the graph, not the edge limits.
    config.router.rate_limits = subgraph_kit::config::RateLimitConfig::off();
    let graph = DevGraph::start(config).await?;
    let (tenant, users) = seed::seed(&graph.kit).await?;
    let patient = users.iter().find(|u| u.role == "patient").context("patient")?.id;
    let claims = auth::claims_for(&graph.kit.config.auth, tenant, patient, &["patient"], 3600);
    let token = auth::mint_hs256(DEV_HS256_SECRET, &claims)?;
    let url = format!("http://{}/graphql", graph.front);
    let http = auth::http_client();
    let grant = json!({"query": "mutation { grantConsent(input: {scope: \"health_data\", textVersion: \"v1\"}) { id } }"});
    http.post(&url).bearer_auth(&token).json(&grant).send().await?.error_for_status()?;
    let query = json!({"query": "query($u: ID!) { hasConsent(userId: $u, scope: \"health_data.vitals\") }", "variables": {"u": patient}});
    let body = serde_json::to_vec(&query)?;
    let report = load::drive(settings, move |http: reqwest::Client| {
        let (url, body, token) = (url.clone(), body.clone(), token.clone());
        async move {
            match http
                .post(&url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {
                    r.bytes().await.is_ok_and(|b| b.windows(4).any(|w| w == b"true"))
                }
                _ => false,
            }
        }
    })
    .await;
    println!(
        "hasConsent through the router (dev graph in this process, SQLite; {} clients, {} s): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
        settings.clients, settings.seconds, report.rps, report.p50_ms, report.p99_ms, report.errors
    );
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

const QUERIES: [&str; 8] = [
    "which medication do I take",
    "my allergies",
    "how do I sleep",
    "my family",
    "my work shifts",
    "learning Spanish",
    "blood sugar levels",
    "my running training",
];

const TOPICS: [&str; 8] = [
    "I take metformin and lisinopril tablets",
    "I am allergic to penicillin and pollen",
    "I sleep badly and wake at night",
    "My daughter and my mother live with us",
    "My work shifts are twelve hours at the hospital",
    "I am learning Spanish verbs and grammar",
    "My blood sugar is high after breakfast",
    "I run five kilometres for half marathon training",
];

async fn recall(db_name: &str, url: &str, n: usize) -> anyhow::Result<()> {
    let config = Config { database_url: url.to_owned(), ..Config::default() };
    let kit = Kit::start(config, backbone::subgraphs::catalog()).await?;
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let now = Utc::now();
    let txn = kit.db.begin().await?;
    for chunk in (0..n).collect::<Vec<_>>().chunks(1_000) {
        let rows = chunk.iter().map(|i| {
            let text = format!("{} (note {i})", TOPICS[i % TOPICS.len()]);
            entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant),
                user_id: Set(user),
                kind: Set("fact".into()),
                embedding: Set(embed::to_bytes(&embed::local(&text))),
                text: Set(text),
                required_scope: Set("memory".into()),
                importance: Set(0.5),
                expires_at: Set(None),
                embedder: Set(LOCAL_NAME.into()),
                created_at: Set(now),
            }
        });
        entry::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    store::changed(&txn, tenant, user, store::Change::Added(n as u64)).await?;
    subgraph_kit::db::commit(txn).await?;

    let cache = snapshot::cache(10);
    let allowed = ["memory".to_owned()];
    let t0 = Instant::now();
    let s = snapshot::snapshot(&kit.db, &cache, tenant, user).await?;
    let _ = top5(&s, &embed::local(QUERIES[0]), &allowed);
    let cold = t0.elapsed().as_secs_f64() * 1000.0;
    let runs = 400;
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        let s = snapshot::snapshot(&kit.db, &cache, tenant, user).await?;
        let q = embed::local(QUERIES[i % QUERIES.len()]);
        let hits = top5(&s, &q, &allowed);
        anyhow::ensure!(hits.len() == 5, "recall found {}", hits.len());
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    // One more memory, then the first recall after it: the cached snapshot
    // is extended with the new row, not read again.
    let new = store::NewMemory {
        kind: "fact".into(),
        text: "I started physiotherapy for my knee".into(),
        required_scope: "memory".into(),
        importance: 0.5,
        expires_at: None,
    };
    let added = store::remember(
        &kit.db,
        &subgraph_memory::domain::embed::Embedder::Local,
        &Default::default(),
        tenant,
        user,
        new,
        u64::MAX >> 1,
    )
    .await?;
    let t = Instant::now();
    let s = snapshot::snapshot(&kit.db, &cache, tenant, user).await?;
    let hits = top5(&s, &embed::local("knee physiotherapy"), &allowed);
    anyhow::ensure!(
        hits.first().is_some_and(|(e, _)| e.text.contains("physiotherapy")),
        "the new memory is recalled"
    );
    let after_add = t.elapsed().as_secs_f64() * 1000.0;
    // And forgotten again: the cached snapshot masks it after a diff of ids.
    store::forget(&kit.db, tenant, user, added.id).await?;
    let t = Instant::now();
    let s = snapshot::snapshot(&kit.db, &cache, tenant, user).await?;
    anyhow::ensure!(s.len() == n, "{} memories after forgetting one", s.len());
    let hits = top5(&s, &embed::local("knee"), &allowed);
    anyhow::ensure!(hits.iter().all(|(e, _)| e.id != added.id), "a forgotten memory is recalled");
    let after_forget = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{:>10} {:>8} {:>10.1} {:>10.2} {:>10.2} {:>12.1} {:>15.1} {:>8}",
        db_name,
        n,
        cold,
        p(0.5),
        p(0.99),
        after_add,
        after_forget,
        runs
    );
    // Leave the shared Postgres database as it was.
    let txn = kit.db.begin().await?;
    use sea_orm::{ColumnTrait, QueryFilter};
    entry::Entity::delete_many().filter(entry::Column::UserId.eq(user)).exec(&txn).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// The best 5 memories for `query` among `allowed` scopes, as recall asks.
fn top5<'a>(s: &'a snapshot::Snapshot, query: &[f32], allowed: &[String]) -> Vec<(&'a snapshot::Entry, f32)> {
    let filters = Filters::default();
    let ask =
        snapshot::Ask { query, embedder: LOCAL_NAME, allowed, filters: &filters, k: 5, now: Utc::now() };
    snapshot::rank(s, &ask)
}
