//! `backbone-bench bench-billing`: 1,000 customer tenants on one monthly
//! plan with four metered charges and a hard `ai.tokens_per_month`. Then:
//! 1. ingestion: 1,000,000 usage events (AI calls, completed visits,
//!    seat counts) published on the bus as the outbox relay publishes
//!    them, metered by billing's own consumer (batched, exactly once per
//!    event and metric), until every reading is stored;
//! 2. invoicing: the period closed for every tenant (a draft each), then
//!    every draft finalized (numbered, rendered);
//! 3. the entitlement check on the request path: the AI gateway's token
//!    reservation against the plan's limit, one client and 50 at once.
//!
//! On SQLite and, given a URL, Postgres (docs/benchmarks.md).

use std::{future::Future, pin::Pin, sync::Arc, time::Instant};

use anyhow::Context;
use backbone_entities::{billing::usage, platform::outbox, tenancy::tenant};
use backbone_schema::{EventEnvelope, event_types};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::FutureExt;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use subgraph_billing::domain::{
    catalogue::{self, NewMetric, NewPlan},
    charges::{ChargeModel, Tier},
    entitlements::Entitlement,
    finalization, renewal, subscriptions,
};
use subgraph_kit::{
    Kit,
    config::Config,
    subgraph::{AnySubgraph, Shutdown},
};
use uuid::Uuid;

/// Settings of the billing benchmark.
#[derive(Debug, Clone)]
pub struct BillingSettings {
    /// Usage events published.
    pub events: usize,
    /// Customer tenants.
    pub tenants: usize,
    /// Entitlement checks measured per run.
    pub checks: usize,
    /// Postgres URL for a Postgres run too.
    pub postgres_url: Option<String>,
    /// Events' times in no order (a backfill) rather than as produced.
    pub shuffled_times: bool,
}

const TOKENS_PER_MONTH: i64 = 1_000_000_000;

/// Runs on SQLite, then Postgres when given.
pub async fn run(s: BillingSettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let dir = super::subscriptions::tempfile_dir()?;
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("billing.db").display());
    one("sqlite", &sqlite, &s).await?;
    if let Some(pg) = &s.postgres_url {
        let s = &s;
        super::scratch_db::measured_in(pg, |url| async move { one("postgres", &url, s).await }).await?;
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

fn nov(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).single().unwrap_or_default()
}

async fn one(name: &str, url: &str, s: &BillingSettings) -> anyhow::Result<()> {
    let db = subgraph_kit::db::connect_and_migrate(url).await?;
    // Codes of their own, so a run on a database used before adds to it.
    let run = &Uuid::new_v4().simple().to_string()[..8];
    let plan_code = setup(&db, run).await?;
    let tenants = customers(&db, s.tenants, &plan_code).await?;
    println!("\n{name}: {} tenants subscribed to plan {plan_code}", tenants.len());

    // 1. Ingestion through the bus.
    let config = Config { database_url: url.to_owned(), ..Config::default() };
    let bus = Arc::new(subgraph_kit::bus::InProcessBus::default());
    let kit = Kit::from_parts(config, backbone::subgraphs::catalog(), db.clone(), bus);
    let never: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(std::future::pending());
    let shutdown: Shutdown = never.shared();
    let workers = AnySubgraph::workers(&subgraph_billing::Billing, &kit, shutdown);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = usage::Entity::find().count(&db).await?;
    let started = Instant::now();
    let mut expected = 0_u64;
    let mut last = None;
    for i in 0..s.events {
        let (event, readings) = event(&tenants, i, s.events, s.shuffled_times);
        expected += readings;
        if readings > 0 {
            last = Some((event.tenant_id, event.id));
        }
        kit.bus.publish(&event).await?;
    }
    let published = started.elapsed().as_secs_f64();
    // One member handles the group's events in order, so once the last
    // event's reading is stored every one before it is. A cheap lookup by
    // key (counting the table while it is written to would slow it down).
    let (last_tenant, last_event) = last.context("no event made a reading")?;
    while usage::Entity::find()
        .filter(usage::Column::TenantId.eq(last_tenant))
        .filter(usage::Column::EventId.eq(last_event))
        .one(&db)
        .await?
        .is_none()
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let stored = usage::Entity::find().count(&db).await? - before;
    anyhow::ensure!(stored == expected, "{stored} readings stored, {expected} expected");
    for w in workers {
        w.abort();
    }
    println!(
        "{name}: ingested {} events ({expected} readings) through the bus in {secs:.1} s: {:.0} events/s (published in {published:.1} s)",
        s.events,
        s.events as f64 / secs,
    );

    // 2. Invoicing.
    let grace = Duration::hours(72);
    let t = Instant::now();
    let drafted = renewal::renew_due(&db, nov(30) + Duration::days(1) + Duration::hours(1), grace).await?;
    let drafting = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut finalized = 0;
    loop {
        match finalization::finalize_due(&db, nov(30) + Duration::days(10), Duration::days(14)).await? {
            0 => break,
            n => finalized += n,
        }
    }
    let finalizing = t.elapsed().as_secs_f64();
    println!(
        "{name}: invoiced {} tenants: {drafted} drafts in {drafting:.1} s, {finalized} finalized in {finalizing:.1} s ({:.1} s in all)",
        tenants.len(),
        drafting + finalizing
    );

    // 3. The entitlement check: as the AI gateway receives the plan's grant.
    let granted = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq(event_types::ENTITLEMENTS_CHANGED))
        .all(&db)
        .await?;
    for row in granted.iter().filter(|r| tenants.contains(&r.tenant_id)) {
        let envelope = EventEnvelope {
            id: row.id,
            event_type: row.event_type.clone(),
            tenant_id: row.tenant_id,
            occurred_at: row.occurred_at,
            actor: None,
            payload: serde_json::from_str(&row.payload)?,
        };
        subgraph_ai::domain::budget::follow(&db, &envelope, 0).await?;
    }
    for clients in [1, 50] {
        let (times, secs) = checks(&db, &tenants, s.checks, clients).await?;
        println!(
            "{name}: entitlement check (reserve AI tokens against the plan), {clients} client(s): p50 {:.2} ms, p99 {:.2} ms, {:.0} checks/s",
            pct(&times, 0.50),
            pct(&times, 0.99),
            times.len() as f64 / secs
        );
    }
    Ok(())
}

/// The metrics and the plan; returns the plan's code.
async fn setup(db: &DatabaseConnection, run: &str) -> anyhow::Result<String> {
    let metric =
        |code: &str, aggregation, event_type: &str, field: Option<&str>, filters: serde_json::Value| {
            NewMetric {
                code: format!("{code}_{run}"),
                name: code.to_owned(),
                aggregation,
                event_type: event_type.to_owned(),
                field: field.map(str::to_owned),
                filters: filters.as_object().cloned().unwrap_or_default(),
            }
        };
    use backbone_entities::billing::metric::Aggregation::{Count, Max, Sum, UniqueCount};
    for m in [
        metric("ai_tokens", Sum, "ai.usage_recorded", Some("totalTokens"), json!({})),
        metric("ai_users", UniqueCount, "ai.usage_recorded", Some("userId"), json!({})),
        metric("visits", Count, "appointment.updated", None, json!({"to": "completed"})),
        metric("seats", Max, "seats.reported", Some("seats"), json!({})),
    ] {
        catalogue::create_metric(db, m).await?;
    }
    let d = |s: &str| s.parse().context("decimal");
    let tier = |up_to: Option<&str>, price: &str| -> anyhow::Result<Tier> {
        Ok(Tier { up_to: up_to.map(d).transpose()?, unit_price: d(price)?, flat_fee: Default::default() })
    };
    let code = format!("clinic_{run}");
    let plan = NewPlan {
        name: "Clinic".into(),
        interval: backbone_entities::billing::plan::BillingInterval::Monthly,
        currency: "EUR".into(),
        fee: d("49.99")?,
        trial_days: 0,
        charges: vec![
            (
                format!("ai_tokens_{run}"),
                ChargeModel::Graduated { tiers: vec![tier(Some("100000"), "0")?, tier(None, "0.00002")?] },
            ),
            (format!("ai_users_{run}"), ChargeModel::PerUnit { unit_price: d("1.5")? }),
            (
                format!("visits_{run}"),
                ChargeModel::Package { size: d("100")?, price: d("5")?, free_units: d("50")? },
            ),
            (format!("seats_{run}"), ChargeModel::PerUnit { unit_price: d("2.5")? }),
        ],
        entitlements: vec![Entitlement {
            key: "ai.tokens_per_month".into(),
            limit: Some(TOKENS_PER_MONTH),
            hard: true,
        }],
    };
    catalogue::write_plan(db, &code, plan, false).await?;
    Ok(code)
}

/// `n` tenants, each subscribed from November 1st.
async fn customers(db: &DatabaseConnection, n: usize, plan: &str) -> anyhow::Result<Vec<Uuid>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = Uuid::now_v7();
        tenant::Entity::insert(tenant::ActiveModel {
            id: Set(id),
            name: Set(format!("Customer {i}")),
            kind: Set(tenant::TenantType::Clinic),
            tier: Set(tenant::SubscriptionTier::Standard),
            max_users: Set(100),
            ai_token_budget: Set(0),
            active: Set(true),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        })
        .exec_without_returning(db)
        .await?;
        subscriptions::subscribe(db, id, None, plan, nov(1)).await?;
        out.push(id);
    }
    Ok(out)
}

/// Event `i` (spread over the tenants and November) and how many
/// readings it makes: an AI call (tokens and user), a visit status change
/// (counted when completed) or a seat count.
///
/// As the platform produces them, events come in the order they happened,
/// spread evenly over November 1 to 29, one in 100 reported late (up to two
/// days after it happened); with `shuffled`, every event's time is spread
/// over the month in no order (a backfill).
fn event(tenants: &[Uuid], i: usize, total: usize, shuffled: bool) -> (EventEnvelope, u64) {
    let tenant = tenants[i % tenants.len()];
    let month = 29 * 86_400;
    let at = if shuffled {
        nov(1) + Duration::seconds((i as i64 * 2_591) % month)
    } else {
        let on_time = (i as i64 * month) / total.max(1) as i64;
        let late = if i % 100 == 99 { (i as i64 * 7_919) % (2 * 86_400) } else { 0 };
        nov(1) + Duration::seconds((on_time - late).max(0))
    };
    let (kind, payload, readings) = match i % 20 {
        0..=13 => {
            ("ai.usage_recorded", json!({"totalTokens": 100 + i % 1900, "userId": format!("u{}", i % 23)}), 2)
        }
        14..=18 => {
            let to = if i.is_multiple_of(7) { "cancelled" } else { "completed" };
            ("appointment.updated", json!({"from": "scheduled", "to": to}), u64::from(to == "completed"))
        }
        _ => ("seats.reported", json!({"seats": 1 + i % 40}), 1),
    };
    let e = EventEnvelope {
        id: Uuid::now_v7(),
        event_type: kind.into(),
        tenant_id: tenant,
        occurred_at: at,
        actor: None,
        payload,
    };
    (e, readings)
}

/// `total` reservations of 1,000 tokens (each released after, outside
/// the time) by `clients` concurrent clients; the times in ms and the
/// wall time in s.
async fn checks(
    db: &DatabaseConnection,
    tenants: &[Uuid],
    total: usize,
    clients: usize,
) -> anyhow::Result<(Vec<f64>, f64)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (db, tenants) = (db.clone(), tenants.to_vec());
        let per = total / clients;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(per);
            for k in 0..per {
                let tenant = tenants[(c * 7919 + k * 104_729) % tenants.len()];
                let t = Instant::now();
                subgraph_ai::domain::budget::reserve(&db, tenant, 1_000, 0).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                subgraph_ai::domain::budget::settle(&db, tenant, 1_000, 0).await?;
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::with_capacity(total);
    for t in tasks {
        times.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Ok((times, secs))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}
