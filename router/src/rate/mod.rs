//! Request rates at the edge (`router.rate_limits`): per client address
//! for anonymous calls and for refused credentials, per tenant and per
//! principal for everyone else; one tenant's bucket never slows another's.
//! With Redis (`REDIS_URL`) the buckets are shared by every router replica
//! ([`shared`]); without it, or while Redis does not answer, each router
//! keeps its own ([`local`]).

pub mod local;
pub mod shared;

use std::{
    net::IpAddr,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use backbone_edge::config::RateLimitConfig;
use uuid::Uuid;

use self::{
    local::LocalBuckets,
    shared::{Cell, Mode, SharedBuckets},
};
use crate::error::PipelineError;

/// A bucket's rate: `burst` requests per `period`, refilled evenly.
#[derive(Debug, Clone, Copy)]
struct Rate {
    burst: u32,
    period: Duration,
}

impl Rate {
    fn new(n: u32, period: Duration) -> Option<Self> {
        (n > 0).then_some(Self { burst: n, period })
    }
}

/// The router's buckets.
pub struct RateLimits {
    local: LocalBuckets,
    shared: Option<SharedBuckets>,
    anonymous: Option<Rate>,
    failures: Option<Rate>,
    tenants: Option<Rate>,
    principals: Option<Rate>,
    /// Seconds since the epoch of the last "Redis did not answer" warning.
    warned_at: AtomicU64,
    /// Milliseconds since the epoch until which Redis is not asked, after
    /// it failed to answer.
    resting_until: AtomicU64,
}

impl RateLimits {
    /// This process's buckets for `config`; a rate of 0 has none.
    pub fn new(config: &RateLimitConfig) -> Self {
        let minute = Duration::from_secs(60);
        let second = Duration::from_secs(1);
        Self {
            local: LocalBuckets::new(config),
            shared: None,
            anonymous: Rate::new(config.anonymous_per_minute, minute),
            failures: Rate::new(config.failed_auth_per_minute, minute),
            tenants: Rate::new(config.tenant_per_second, second),
            principals: Rate::new(config.principal_per_second, second),
            warned_at: AtomicU64::new(0),
            resting_until: AtomicU64::new(0),
        }
    }

    /// Buckets for `config` shared through `redis` with every router using
    /// the same Redis and `config.redis_prefix`.
    pub fn shared(config: &RateLimitConfig, redis: SharedBuckets) -> Self {
        Self { shared: Some(redis), ..Self::new(config) }
    }

    /// Refuses an address that is cut off for refused credentials.
    pub async fn admit_address(&self, ip: Option<IpAddr>) -> Result<(), PipelineError> {
        let cells = self.cells(&[(self.failures, &|| format!("fail:{}", addr(ip)))]);
        match self.check(Mode::Peek, cells).await {
            Some(outcome) => outcome,
            None => self.local.admit_address(ip),
        }
    }

    /// Counts a refused credential from `ip`; past the limit the address is
    /// cut off and the refusal becomes `RATE_LIMITED`.
    pub async fn refused(&self, ip: Option<IpAddr>, refusal: PipelineError) -> PipelineError {
        let cells = self.cells(&[(self.failures, &|| format!("fail:{}", addr(ip)))]);
        match self.check(Mode::Charge, cells).await {
            Some(Ok(())) => refusal,
            Some(Err(limited)) => limited,
            None => self.local.refused(ip, refusal),
        }
    }

    /// An anonymous request from `ip`.
    pub async fn anonymous(&self, ip: Option<IpAddr>) -> Result<(), PipelineError> {
        let cells = self.cells(&[(self.anonymous, &|| format!("anon:{}", addr(ip)))]);
        match self.check(Mode::Charge, cells).await {
            Some(outcome) => outcome,
            None => self.local.anonymous(ip),
        }
    }

    /// A request of `principal` (user or API key) in `tenant`.
    pub async fn caller(&self, tenant: Uuid, principal: Uuid) -> Result<(), PipelineError> {
        let cells = self.cells(&[
            (self.tenants, &|| format!("tenant:{tenant}")),
            (self.principals, &|| format!("principal:{tenant}:{principal}")),
        ]);
        match self.check(Mode::Charge, cells).await {
            Some(outcome) => outcome,
            None => self.local.caller(tenant, principal),
        }
    }

    /// The shared cells of the configured rates among `buckets`, each named
    /// by its closure; nothing is built when the buckets are this process's.
    fn cells(&self, buckets: &[(Option<Rate>, &dyn Fn() -> String)]) -> Vec<Cell> {
        let Some(shared) = &self.shared else { return Vec::new() };
        buckets
            .iter()
            .filter_map(|(rate, name)| {
                rate.map(|r| Cell {
                    key: format!("{}:{}", shared.prefix, name()),
                    interval: r.period / r.burst,
                    burst: r.burst,
                })
            })
            .collect()
    }

    /// The shared buckets' answer, or `None` when there are none or Redis
    /// did not answer (the caller then asks this process's buckets). After
    /// a failure Redis rests for [`REST`], so an outage costs one request
    /// in each such period a timeout, not every request.
    async fn check(&self, mode: Mode, cells: Vec<Cell>) -> Option<Result<(), PipelineError>> {
        let shared = self.shared.as_ref()?;
        if now_millis() < self.resting_until.load(Ordering::Relaxed) {
            return None;
        }
        match shared.check(mode, &cells).await {
            Ok(None) => Some(Ok(())),
            Ok(Some(wait)) => Some(Err(limited(wait))),
            Err(e) => {
                self.resting_until.store(now_millis() + REST.as_millis() as u64, Ordering::Relaxed);
                self.warn(&e);
                None
            }
        }
    }

    /// Warns that Redis did not answer, at most once a minute.
    fn warn(&self, e: &redis::RedisError) {
        let now = now_millis() / 1000;
        let last = self.warned_at.load(Ordering::Relaxed);
        if now >= last + 60
            && self.warned_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            tracing::warn!(error = %e, "shared rate limits unavailable; using this router's own buckets");
        }
    }
}

/// How long Redis is left alone after it failed to answer.
const REST: Duration = Duration::from_secs(1);

fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

/// The key part for a client address (`unknown` when there is none).
fn addr(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

fn limited(wait: Duration) -> PipelineError {
    // Retry-After is in whole seconds; never tell a client to retry at once.
    PipelineError::RateLimited {
        retry_after_seconds: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
    }
}
