//! Subscriptions at the router: clients connect to `/graphql` over
//! WebSocket (`graphql-transport-ws` or `graphql-ws`), each subscription is
//! planned like any operation, opened on the owning subgraph (shared by
//! identical subscriptions, see [`feed`]), and each event's other fields
//! are resolved through the plan.
//!
//! Credentials: the upgrade request's headers, overridden by the
//! `connection_init` payload (`Authorization`, `x-api-key` or `token`).
//! Bad credentials refuse the connection (close 4403, reason starting with
//! `UNAUTHENTICATED`; the legacy protocol gets `connection_error` first).
//! Limits per connection and per tenant answer `error` with code
//! `RATE_LIMITED`. Queries and mutations sent over the socket are answered
//! once and completed.

mod connection;
pub mod feed;
pub mod protocol;
mod upstream;

use std::collections::HashMap;

use backbone_edge::config::RealtimeConfig;
use parking_lot::Mutex;

pub use connection::{Live, join, serve};

/// Router-wide real-time state: feeds, per-tenant counts and settings.
pub struct Realtime {
    /// Shared upstream subscriptions.
    pub feeds: std::sync::Arc<feed::Feeds>,
    /// Settings.
    pub config: RealtimeConfig,
    tenants: Mutex<HashMap<String, usize>>,
}

impl Realtime {
    /// Real-time state with `config`.
    pub fn new(config: RealtimeConfig) -> Self {
        Self { feeds: Default::default(), config, tenants: Mutex::new(HashMap::new()) }
    }

    /// Takes one of `tenant`'s subscription slots, if any is left.
    fn acquire(self: &std::sync::Arc<Self>, tenant: &str) -> Option<TenantSlot> {
        let mut t = self.tenants.lock();
        let n = t.entry(tenant.to_owned()).or_default();
        if *n >= self.config.max_subscriptions_per_tenant {
            return None;
        }
        *n += 1;
        Some(TenantSlot { realtime: self.clone(), tenant: tenant.to_owned() })
    }

    /// How many subscriptions `tenant` holds.
    pub fn tenant_subscriptions(&self, tenant: &str) -> usize {
        self.tenants.lock().get(tenant).copied().unwrap_or(0)
    }
}

impl Default for Realtime {
    fn default() -> Self {
        Self::new(RealtimeConfig::default())
    }
}

/// One held per-tenant slot, given back on drop.
struct TenantSlot {
    realtime: std::sync::Arc<Realtime>,
    tenant: String,
}

impl Drop for TenantSlot {
    fn drop(&mut self) {
        let mut t = self.realtime.tenants.lock();
        if let Some(n) = t.get_mut(&self.tenant) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                t.remove(&self.tenant);
            }
        }
    }
}
