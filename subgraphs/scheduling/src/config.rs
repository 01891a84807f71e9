//! The `[scheduling]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[scheduling]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulingConfig {
    /// How long a hold keeps its resources while the patient confirms.
    pub hold_ttl_seconds: u64,
    /// Milliseconds between passes of the worker that lapses old holds.
    pub sweep_interval_ms: u64,
    /// The longest date range one free-slot search may cover.
    pub max_search_days: u32,
    /// The most occurrences one recurring booking may have.
    pub max_series_occurrences: u16,
    /// How long a slot offered to the waitlist is held for the patient
    /// before it goes to the next one.
    pub waitlist_offer_ttl_seconds: u64,
}

impl SchedulingConfig {
    /// [`SchedulingConfig::waitlist_offer_ttl_seconds`] as a duration.
    pub fn offer_ttl(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.waitlist_offer_ttl_seconds.min(7 * 86_400) as i64)
    }
}

impl Default for SchedulingConfig {
    fn default() -> Self {
        Self {
            hold_ttl_seconds: 600,
            sweep_interval_ms: 5_000,
            max_search_days: 62,
            max_series_occurrences: 104,
            waitlist_offer_ttl_seconds: 1_800,
        }
    }
}

impl Section for SchedulingConfig {
    fn validate(&self) -> Result<(), String> {
        if self.hold_ttl_seconds == 0
            || self.sweep_interval_ms == 0
            || self.max_search_days == 0
            || self.max_series_occurrences == 0
            || self.waitlist_offer_ttl_seconds == 0
        {
            return Err("every [scheduling] setting must be positive".into());
        }
        Ok(())
    }
}
