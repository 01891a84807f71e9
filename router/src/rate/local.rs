//! The router's own rate buckets: GCRA cells from `governor`, kept in this
//! process. They are the limits of a router without Redis, and the
//! fallback of one whose Redis does not answer.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use backbone_edge::config::RateLimitConfig;
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use parking_lot::Mutex;
use uuid::Uuid;

use super::limited;
use crate::error::PipelineError;

type Keyed<K> = Option<DefaultKeyedRateLimiter<K>>;

/// The buckets of one router process.
pub struct LocalBuckets {
    anonymous: Keyed<Option<IpAddr>>,
    failures: Keyed<Option<IpAddr>>,
    tenants: Keyed<Uuid>,
    principals: Keyed<(Uuid, Uuid)>,
    /// Addresses cut off after too many refused credentials, until when.
    blocked: Mutex<std::collections::HashMap<Option<IpAddr>, std::time::Instant>>,
    checks: AtomicU64,
}

impl LocalBuckets {
    /// Buckets for `config`; a rate of 0 has none.
    pub fn new(config: &RateLimitConfig) -> Self {
        fn keyed<K: std::hash::Hash + Eq + Clone>(quota: Option<Quota>) -> Keyed<K> {
            quota.map(RateLimiter::keyed)
        }
        let per_minute = |n| NonZeroU32::new(n).map(Quota::per_minute);
        let per_second = |n| NonZeroU32::new(n).map(Quota::per_second);
        Self {
            anonymous: keyed(per_minute(config.anonymous_per_minute)),
            failures: keyed(per_minute(config.failed_auth_per_minute)),
            tenants: keyed(per_second(config.tenant_per_second)),
            principals: keyed(per_second(config.principal_per_second)),
            blocked: Mutex::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Refuses an address that is cut off for refused credentials.
    pub fn admit_address(&self, ip: Option<IpAddr>) -> Result<(), PipelineError> {
        let mut blocked = self.blocked.lock();
        match blocked.get(&ip) {
            Some(until) if *until > std::time::Instant::now() => {
                Err(limited(*until - std::time::Instant::now()))
            }
            Some(_) => {
                blocked.remove(&ip);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a refused credential from `ip`; past the limit the address is
    /// cut off and the refusal becomes `RATE_LIMITED`.
    pub fn refused(&self, ip: Option<IpAddr>, refusal: PipelineError) -> PipelineError {
        match check(&self.failures, &ip) {
            Ok(()) => refusal,
            Err(wait) => {
                self.blocked.lock().insert(ip, std::time::Instant::now() + wait);
                limited(wait)
            }
        }
    }

    /// An anonymous request from `ip`.
    pub fn anonymous(&self, ip: Option<IpAddr>) -> Result<(), PipelineError> {
        self.tidy();
        check(&self.anonymous, &ip).map_err(limited)
    }

    /// A request of `principal` (user or API key) in `tenant`.
    pub fn caller(&self, tenant: Uuid, principal: Uuid) -> Result<(), PipelineError> {
        self.tidy();
        check(&self.tenants, &tenant).map_err(limited)?;
        check(&self.principals, &(tenant, principal)).map_err(limited)
    }

    /// Every 4,096 checks, forgets buckets that are full again, so keys
    /// seen once do not accumulate.
    fn tidy(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4_096 == 4_095 {
            for limiter in [&self.anonymous, &self.failures].into_iter().flatten() {
                limiter.retain_recent();
            }
            for limiter in self.tenants.iter() {
                limiter.retain_recent();
            }
            for limiter in self.principals.iter() {
                limiter.retain_recent();
            }
            let now = std::time::Instant::now();
            self.blocked.lock().retain(|_, until| *until > now);
        }
    }
}

/// `Ok` when `key`'s bucket has room (or there is no bucket), else how long
/// until it has.
fn check<K: std::hash::Hash + Eq + Clone>(limiter: &Keyed<K>, key: &K) -> Result<(), Duration> {
    match limiter {
        None => Ok(()),
        Some(l) => {
            l.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
        }
    }
}
