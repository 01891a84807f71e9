//! `backbone-bench bench-merged`: what shaping a merged field costs the
//! router (issue 14: at most 2 % of throughput). The benchmark query
//! against the same query written with its fields selected twice with
//! different sub-selections — `reviews` twice, `topProducts` once
//! directly and once inside a fragment — which the router must merge
//! into the same answer, byte for byte (checked first). Measured in
//! rotating throughput rounds on one router, as CPU time per request with
//! two routers loaded at once ([`super::rounds`]), or in instructions per
//! request under callgrind.

use anyhow::Context;
use serde_json::json;

use super::{
    QUERY, Settings, instructions,
    rounds::{self, Contender},
    serve::Recorder,
};

/// [`QUERY`] with `reviews` and `topProducts` each selected twice, with
/// different sub-selections, once through a fragment.
pub const MERGED_QUERY: &str = "{ users { id name reviews { id body product { upc name } } \
     reviews { product { price inStock } } } topProducts(first: 3) { upc name price } ...Stock } \
     fragment Stock on Query { topProducts(first: 3) { inStock shippingEstimate } }";

/// Throughput rounds of the two queries on one router; with
/// `interleaved`, two routers loaded at once instead, one with each query,
/// then swapped ([`rounds::interleave`]): CPU time per request compared
/// round by round.
pub async fn run(settings: Settings, rounds: usize, pinned: bool, interleaved: bool) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let wrapper = rounds::placement(pinned)?;
    let file = super::supergraph_over_http(Recorder::default()).await?;
    let mut routers = vec![super::spawn_child_wrapped(&wrapper, &["router"], &file, &[]).await?];
    if interleaved {
        routers.push(super::spawn_child_wrapped(&wrapper, &["router"], &file, &[]).await?);
    }
    let result = async {
        same_answer(&routers[0].url).await?;
        let (one, other) = (&routers[0], routers.last().unwrap_or(&routers[0]));
        if !interleaved {
            let pid = one.child.id();
            let mut contenders = [
                Contender::new("q  the query", &one.url, pid, QUERY),
                Contender::new("mq the query, merged fields", &one.url, pid, MERGED_QUERY),
            ];
            rounds::rotate(&mut contenders, &settings, rounds).await;
            return rounds::summary(&contenders);
        }
        let mut costs = Vec::new();
        for (q, mq) in [(one, other), (other, one)] {
            let mut contenders = [
                Contender::new("q  the query", &q.url, q.child.id(), QUERY),
                Contender::new("mq the query, merged fields", &mq.url, mq.child.id(), MERGED_QUERY),
            ];
            println!("\nq on router {}, mq on router {}", q.child.id(), mq.child.id());
            rounds::interleave(&mut contenders, &settings, rounds).await;
            rounds::interleaved_summary(&contenders)?;
            costs.push(contenders[1].cpu_over_first());
        }
        println!(
            "\nmerged fields, CPU per request over the query's, both ways round: {:.2} % ({:.2} %, {:.2} %)",
            (costs[0] + costs[1]) / 2.0 * 100.0,
            costs[0] * 100.0,
            costs[1] * 100.0
        );
        Ok(())
    }
    .await;
    for router in &mut routers {
        router.stop();
    }
    result
}

/// Instructions per request of each query under callgrind: `requests`
/// of each, four times, in the order q mq mq q q mq mq q, so a count that
/// drifts as the process runs falls on both alike.
pub async fn instructions(requests: usize) -> anyhow::Result<()> {
    let dir = instructions::dump_dir()?;
    let file = super::supergraph_over_http(Recorder::default()).await?;
    let out = dir.join("callgrind.merged");
    let mut router = instructions::under_callgrind(&file, &[], &out).await?;
    let order = [QUERY, MERGED_QUERY, MERGED_QUERY, QUERY, QUERY, MERGED_QUERY, MERGED_QUERY, QUERY];
    let result = async {
        same_answer(&router.url).await?;
        instructions::count_each(&router, &out, requests, &order).await
    }
    .await;
    router.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let totals = result?;
    let per_request = |query: &str| -> Vec<f64> {
        order
            .iter()
            .zip(&totals)
            .filter(|(q, _)| **q == query)
            .map(|(_, ir)| *ir as f64 / requests as f64)
            .collect()
    };
    let mean = |counts: &[f64]| counts.iter().sum::<f64>() / counts.len() as f64;
    let plain_mean = mean(&per_request(QUERY));
    println!("\n{:<28} {:>40} {:>10} {:>9}", "run", "Ir / request, in order", "mean", "vs query");
    for (name, query) in [("q  the query", QUERY), ("mq the query, merged fields", MERGED_QUERY)] {
        let counts = per_request(query);
        let mean = mean(&counts);
        let each: Vec<String> = counts.iter().map(|c| format!("{c:.0}")).collect();
        println!(
            "{name:<28} {:>40} {mean:>10.0} {:>7.2} %",
            each.join(" "),
            (mean - plain_mean) / plain_mean * 100.0
        );
    }
    Ok(())
}

/// Both queries answer, and answer the same bytes.
async fn same_answer(url: &str) -> anyhow::Result<()> {
    let http = subgraph_kit::auth::http_client();
    let mut bodies = Vec::new();
    for query in [QUERY, MERGED_QUERY] {
        let body = http.post(url).json(&json!({"query": query})).send().await?.bytes().await?;
        let value: serde_json::Value = serde_json::from_slice(&body).context("answer is not JSON")?;
        anyhow::ensure!(value.get("errors").is_none() && value["data"]["users"].is_array(), "{value}");
        bodies.push(body);
    }
    anyhow::ensure!(
        bodies[0] == bodies[1],
        "the merged query answers differently:\n{}\n{}",
        String::from_utf8_lossy(&bodies[0]),
        String::from_utf8_lossy(&bodies[1])
    );
    println!("both queries answer the same {} bytes", bodies[0].len());
    Ok(())
}
