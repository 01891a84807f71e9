//! The load generator: N keep-alive clients for a fixed time, latencies
//! collected per client and merged for percentiles.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{QUERY, Settings, serve::Recorded};

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Completed requests per second.
    pub rps: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Requests that failed or answered with GraphQL errors.
    pub errors: u64,
}

/// Sends the query once and checks the answer (a smoke test before load).
pub async fn one(url: &str) -> anyhow::Result<()> {
    let body: Value = subgraph_kit::auth::http_client()
        .post(url)
        .json(&json!({"query": QUERY}))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(
        body.get("errors").is_none() && body["data"]["users"].is_array(),
        "unexpected answer: {body}"
    );
    Ok(())
}

/// Runs `step` from `clients` concurrent tasks; each call is one sample.
pub(crate) async fn drive<F, Fut>(settings: &Settings, step: F) -> Report
where
    F: Fn(reqwest::Client) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(settings.warmup);
    let end = measure_from + Duration::from_secs(settings.seconds);
    let mut tasks = Vec::new();
    for _ in 0..settings.clients {
        let step = step.clone();
        tasks.push(tokio::spawn(async move {
            let http = subgraph_kit::auth::http_client_builder()
                .pool_max_idle_per_host(4)
                .build()
                .unwrap_or_default();
            let mut samples = Vec::with_capacity(16_384);
            let mut errors = 0u64;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let ok = step(http.clone()).await;
                if t0 >= measure_from {
                    samples.push(t0.elapsed().as_micros() as u64);
                    errors += u64::from(!ok);
                }
            }
            (samples, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((s, e)) = t.await {
            all.extend(s);
            errors += e;
        }
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0)
            as f64
            / 1000.0
    };
    Report { rps: all.len() as f64 / settings.seconds as f64, p50_ms: pct(0.50), p99_ms: pct(0.99), errors }
}

/// Load against a router URL with the benchmark query.
pub async fn run(url: &str, settings: &Settings) -> Report {
    run_query(url, QUERY, settings).await
}

/// Load against a router URL with `query`.
pub async fn run_query(url: &str, query: &str, settings: &Settings) -> Report {
    let url = url.to_owned();
    let body = serde_json::to_vec(&json!({"query": query})).unwrap_or_default();
    drive(settings, move |http: reqwest::Client| {
        let (url, body) = (url.clone(), body.clone());
        async move { post_ok(&http, &url, body).await }
    })
    .await
}

/// Posts a GraphQL request body; whether it answered 2xx without errors.
pub(crate) async fn post_ok(http: &reqwest::Client, url: &str, body: Vec<u8>) -> bool {
    match http.post(url).header("content-type", "application/json").body(body).send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok_and(|b| !contains(&b, b"\"errors\"")),
        _ => false,
    }
}

/// The floor: the router's subgraph requests for one query, replayed in
/// order (sequentially, so a plan's parallel branches count twice: the
/// floor is conservative).
pub async fn run_floor(recorded: Recorded, settings: &Settings) -> Report {
    drive(settings, move |http: reqwest::Client| {
        let recorded = recorded.clone();
        async move {
            for (url, body) in recorded.iter() {
                match http
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        if r.bytes().await.is_err() {
                            return false;
                        }
                    }
                    _ => return false,
                }
            }
            true
        }
    })
    .await
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
