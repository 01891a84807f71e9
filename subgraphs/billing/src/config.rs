//! The `[billing]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

use crate::domain::subscriptions::Timing;

/// `[billing]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BillingConfig {
    /// When a plan change takes effect if the operator does not say:
    /// `immediately` (the period is split and each plan's fee charged for
    /// its part) or `at_period_end`.
    pub plan_change: Timing,
    /// Milliseconds between passes of the worker that renews subscriptions
    /// whose period has ended and finalizes drafts whose grace is over.
    pub sweep_interval_ms: u64,
    /// Hours a period's draft invoice may be corrected (and late usage
    /// still counts in it) before it is finalized.
    pub grace_hours: u32,
}

impl BillingConfig {
    /// [`BillingConfig::grace_hours`] as a duration.
    pub fn grace(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.grace_hours))
    }
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self { plan_change: Timing::Immediately, sweep_interval_ms: 30_000, grace_hours: 72 }
    }
}

impl Section for BillingConfig {
    fn validate(&self) -> Result<(), String> {
        if self.sweep_interval_ms == 0 {
            return Err("[billing] sweep_interval_ms must be positive".into());
        }
        Ok(())
    }
}
