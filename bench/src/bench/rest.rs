//! `backbone-bench bench-rest`: the REST layer's overhead over GraphQL
//! (docs/benchmarks.md). The same stored operation (`Complaint`, one
//! complaint with its fields) is asked for through the router as
//! `GET /v1/complaints/{id}` and as `POST /graphql`, by the same number of
//! clients, in alternating rounds so both see the same machine.

use anyhow::Context;
use backbone::{dev::DevGraph, seed};
use backbone_router::rest::table::Table;
use serde_json::json;
use subgraph_kit::{
    auth,
    config::{Config, DEV_HS256_SECRET},
};

use super::{Settings, load};

/// Runs `rounds` rounds of each and prints a table.
pub async fn run(settings: Settings, rounds: usize) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let dir = super::subscriptions::tempfile_dir()?;
    let mut config = Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("rest.db").display()),
        ..Config::default()
    };
    config.auth.hs256_secret = Some(DEV_HS256_SECRET.to_owned().into());
    config.http.port = 0;
    // One caller from one address: measure the layers, not the edge limits.
    config.router.rate_limits = subgraph_kit::config::RateLimitConfig::off();
    let graph = DevGraph::start(config).await?;
    let (tenant, users) = seed::seed(&graph.kit).await?;
    let token = |role: &str| -> anyhow::Result<String> {
        let user = users.iter().find(|u| u.role == role).context("seeded role")?.id;
        let claims = auth::claims_for(&graph.kit.config.auth, tenant, user, &[role], 3600);
        Ok(auth::mint_hs256(DEV_HS256_SECRET, &claims)?)
    };
    let (patient, staff) = (token("patient")?, token("staff")?);
    let http = auth::http_client();
    let graphql = format!("http://{}/graphql", graph.front);
    let file = json!({"query": "mutation { fileComplaint(input: {category: \"billing\", subject: \"Charged twice\", description: \"Twice in November.\"}) { complaint { id } } }"});
    let filed: serde_json::Value =
        http.post(&graphql).bearer_auth(&patient).json(&file).send().await?.json().await?;
    let id = filed["data"]["fileComplaint"]["complaint"]["id"].as_str().context("filed")?.to_owned();

    let table = Table::built_in()?;
    let op = &table.routes.iter().find(|r| r.path == "/v1/complaints/:id").context("route")?.operation;
    let body =
        serde_json::to_vec(&json!({"query": op.text, "operationName": op.name, "variables": {"id": id}}))?;
    let rest = format!("http://{}/v1/complaints/{id}", graph.front);
    let wanted = id.clone().into_bytes();

    println!(
        "\nGET /v1/complaints/{{id}} vs the same operation over POST /graphql ({} clients, {} s per round, {rounds} rounds each)",
        settings.clients, settings.seconds
    );
    println!("{:>8} {:>6} {:>10} {:>9} {:>9} {:>7}", "edge", "round", "req/s", "p50 ms", "p99 ms", "errors");
    let (mut gql_total, mut rest_total) = (0.0, 0.0);
    for round in 1..=rounds {
        let (url, body, token, needle) = (graphql.clone(), body.clone(), staff.clone(), wanted.clone());
        let g = load::drive(&settings, move |http: reqwest::Client| {
            let (url, body, token, needle) = (url.clone(), body.clone(), token.clone(), needle.clone());
            async move {
                let r =
                    http.post(&url).bearer_auth(token).header("content-type", "application/json").body(body);
                match r.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok_and(|b| contains(&b, &needle)),
                    _ => false,
                }
            }
        })
        .await;
        println!(
            "{:>8} {round:>6} {:>10.0} {:>9.2} {:>9.2} {:>7}",
            "graphql", g.rps, g.p50_ms, g.p99_ms, g.errors
        );
        let (url, token, needle) = (rest.clone(), staff.clone(), wanted.clone());
        let r = load::drive(&settings, move |http: reqwest::Client| {
            let (url, token, needle) = (url.clone(), token.clone(), needle.clone());
            async move {
                match http.get(&url).bearer_auth(token).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok_and(|b| contains(&b, &needle)),
                    _ => false,
                }
            }
        })
        .await;
        println!(
            "{:>8} {round:>6} {:>10.0} {:>9.2} {:>9.2} {:>7}",
            "rest", r.rps, r.p50_ms, r.p99_ms, r.errors
        );
        gql_total += g.rps;
        rest_total += r.rps;
    }
    let overhead = (1.0 - rest_total / gql_total) * 100.0;
    println!(
        "\nmean: graphql {:.0} req/s, rest {:.0} req/s: REST overhead {overhead:.1} % of throughput (target <= 5 %)",
        gql_total / rounds as f64,
        rest_total / rounds as f64
    );
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
