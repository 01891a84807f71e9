//! The consent subgraph's background work: DSAR jobs, the consent-expiry
//! sweep and expired packages, and retention.

use std::time::Duration;

use chrono::Utc;
use subgraph_kit::Kit;

use crate::domain::{dsar, records, retention, state::ConsentState};

/// Background work until `shutdown`: DSAR jobs, the consent-expiry sweep
/// and expired packages (every `consent.job_tick_ms`), retention (every
/// `consent.retention_tick_seconds`).
pub async fn run_workers(
    kit: Kit,
    state: ConsentState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let cfg = state.config.clone();
    let ttl = chrono::Duration::hours(cfg.package_ttl_hours);
    let mut jobs = tokio::time::interval(Duration::from_millis(cfg.job_tick_ms.max(10)));
    // The first purge one period after start, not at once: a rule set in
    // the first moments (a test, an operator at deploy) is never raced by
    // a pass that began before it, and a crash loop does not purge on every
    // restart.
    let period = Duration::from_secs(cfg.retention_tick_seconds.max(1));
    let mut purge = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = jobs.tick() => {
                let now = Utc::now();
                if let Err(e) = dsar::run_pending(&kit.db, &state.client, &cfg.data_services, ttl).await {
                    tracing::warn!(error = %e, "DSAR job failed");
                }
                if let Err(e) = records::sweep_expired(&kit.db, now).await {
                    tracing::warn!(error = %e, "consent expiry sweep failed");
                }
                if let Err(e) = dsar::drop_expired_packages(&kit.db, now).await {
                    tracing::warn!(error = %e, "dropping expired packages failed");
                }
            }
            _ = purge.tick() => {
                match retention::run(&kit.db, &state.client, &cfg.data_services, None, Utc::now(), false).await {
                    Ok(lines) => for l in lines.iter().filter(|l| l.count > 0) {
                        tracing::info!(service = %l.service, data_type = %l.data_type, purged = l.count, "retention");
                    },
                    Err(e) => tracing::warn!(error = %e, "retention purge failed"),
                }
            }
        }
    }
}
