//! `backbone-bench bench-stack`: the production topology as separate
//! processes (`backbone::stack`: every subgraph and two routers on
//! Postgres and Redis). It measures:
//! - a subscription on router one fed by mutations sent to router two,
//!   from mutation sent to event received, across processes and Redis;
//! - a federated query (a complaint and its assignee's name: complaints →
//!   tenants) at N clients through one router, then spread over two.
//!
//! Needs the `backbone` binary next to this one
//! (`cargo build --release --bin backbone --bin backbone-bench`).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use backbone::{
    stack::{Stack, StackSpec},
    wsclient::WsClient,
};
use serde_json::{Value, json};

use super::{Settings, load, subscriptions::Spread};

/// Settings of `bench-stack`.
pub struct StackSettings {
    /// Load per query run.
    pub load: Settings,
    /// Status changes whose delivery is timed.
    pub events: usize,
    /// Postgres server (a database is created on it and dropped after).
    pub postgres_url: String,
    /// Redis.
    pub redis_url: String,
}

const WATCH: &str = "subscription($id: ID!) { complaintStatusChanged(complaintId: $id) { to } }";
const CHANGE: &str =
    "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }";
const READ: &str = "query($id: ID!) { complaint(id: $id) { status assignee { displayName } } }";

/// Starts the stack, measures, prints, and drops the database.
pub async fn run(settings: StackSettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let binary = std::env::current_exe()?.with_file_name("backbone");
    if !binary.exists() {
        bail!("{} is missing: cargo build --release --bin backbone", binary.display());
    }
    let db = super::scratch_db::ScratchDb::create(&settings.postgres_url).await?;
    let dir = super::subscriptions::tempfile_dir()?;
    let spec = StackSpec {
        binary,
        database_url: db.url.clone(),
        redis_url: settings.redis_url.clone(),
        redis_stream: format!("bb-bench-{}", db.name),
        routers: 2,
        secret: subgraph_kit::config::DEV_HS256_SECRET.into(),
        dir: dir.clone(),
        env: super::WITHOUT_EDGE_LIMITS.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    };
    let stack = tokio::task::spawn_blocking(move || Stack::start(spec)).await??;
    let result = measure(&stack, &settings).await;
    drop(stack);
    db.drop_now().await?;
    let _ = std::fs::remove_dir_all(dir);
    result
}

async fn measure(stack: &Stack, settings: &StackSettings) -> anyhow::Result<()> {
    let seeded = stack.seed()?;
    let token = |role: &str| seeded.token(role).map(str::to_owned).context("seeded role");
    let (one, two) = (stack.router(0), stack.router(1));
    let http = subgraph_kit::auth::http_client();
    let gql = |url: &str, role: &str, query: &str, vars: Value| {
        let req = http.post(url).bearer_auth(token(role).unwrap_or_default());
        let req = req.json(&json!({"query": query, "variables": vars}));
        async move {
            let body: Value = req.send().await?.json().await?;
            if body.get("errors").is_some() {
                bail!("{body}");
            }
            anyhow::Ok(body["data"].clone())
        }
    };
    let team =
        gql(&one, "tenant_admin", "mutation { createComplaintTeam(name: \"Bench\") { id } }", json!({}))
            .await?;
    let team = team["createComplaintTeam"]["id"].clone();
    let member = json!({"t": team, "u": seeded.user("staff")});
    gql(
        &one,
        "tenant_admin",
        "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }",
        member,
    )
    .await?;
    gql(&one, "tenant_admin", "mutation($t: ID!) { addRoutingRule(teamId: $t) { id } }", json!({"t": team}))
        .await?;
    let filed = gql(&two, "patient", "mutation { fileComplaint(input: {category: \"bench\", subject: \"Bench\", description: \"Bench\"}) { complaint { id } } }", json!({})).await?;
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().context("complaint id")?.to_owned();

    // Delivery across processes: one subscriber on router one, each change
    // sent to router two and awaited before the next.
    let auth = json!({"Authorization": format!("Bearer {}", token("staff")?)});
    let mut ws = WsClient::connect(&one.replacen("http", "ws", 1), "graphql-transport-ws", auth).await?;
    ws.subscribe("w", WATCH, json!({"id": id})).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let statuses = || std::iter::once("ACKNOWLEDGED").chain(["IN_PROGRESS", "ON_HOLD"].into_iter().cycle());
    let mut latencies = Vec::with_capacity(settings.events);
    for status in statuses().take(settings.events) {
        let sent = Instant::now();
        gql(&two, "staff", CHANGE, json!({"id": id, "s": status})).await?;
        let event = ws.next(Duration::from_secs(10)).await?;
        latencies.push(sent.elapsed());
        anyhow::ensure!(event["payload"]["data"]["complaintStatusChanged"]["to"] == status, "{event}");
    }
    let mutation_only = {
        let mut t = Vec::with_capacity(50);
        // After `events` changes the complaint is in progress when `events` is even.
        let next = if settings.events.is_multiple_of(2) {
            ["ON_HOLD", "IN_PROGRESS"]
        } else {
            ["IN_PROGRESS", "ON_HOLD"]
        };
        for status in next.into_iter().cycle().take(50) {
            let sent = Instant::now();
            gql(&two, "staff", CHANGE, json!({"id": id, "s": status})).await?;
            t.push(sent.elapsed());
            let _ = ws.next(Duration::from_secs(10)).await?;
        }
        Spread::of(t)
    };
    let d = Spread::of(latencies);
    println!(
        "\nsubscription on router 1, mutation through router 2 ({} changes, one at a time)",
        settings.events
    );
    println!(
        "  mutation sent → event received: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        d.p50, d.p99, d.max
    );
    println!(
        "  the mutation's own round trip:  p50 {:.1} ms, p99 {:.1} ms",
        mutation_only.p50, mutation_only.p99
    );

    // Throughput of a federated query, through one router and then two.
    let body = serde_json::to_vec(&json!({"query": READ, "variables": {"id": id}}))?;
    let staff = token("staff")?;
    println!("\n{READ}\n{} clients, {} s", settings.load.clients, settings.load.seconds);
    println!("{:>8} {:>10} {:>9} {:>9} {:>7}", "routers", "req/s", "p50 ms", "p99 ms", "errors");
    for routers in [vec![one.clone()], vec![one.clone(), two.clone()]] {
        let n = routers.len();
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (body, staff) = (body.clone(), staff.clone());
        let report = load::drive(&settings.load, move |http: reqwest::Client| {
            // Clients are spread over the routers in turn.
            let url =
                routers[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % routers.len()].clone();
            let (body, staff) = (body.clone(), staff.clone());
            async move {
                let r =
                    http.post(&url).bearer_auth(staff).header("content-type", "application/json").body(body);
                match r.send().await {
                    Ok(r) if r.status().is_success() => {
                        r.bytes().await.is_ok_and(|b| !b.windows(8).any(|w| w == b"\"errors\""))
                    }
                    _ => false,
                }
            }
        })
        .await;
        println!(
            "{n:>8} {:>10.0} {:>9.2} {:>9.2} {:>7}",
            report.rps, report.p50_ms, report.p99_ms, report.errors
        );
    }
    Ok(())
}
