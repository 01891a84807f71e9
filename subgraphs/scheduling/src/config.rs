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
}

impl Default for SchedulingConfig {
    fn default() -> Self {
        Self { hold_ttl_seconds: 600, sweep_interval_ms: 5_000, max_search_days: 62 }
    }
}

impl Section for SchedulingConfig {
    fn validate(&self) -> Result<(), String> {
        if self.hold_ttl_seconds == 0 || self.sweep_interval_ms == 0 || self.max_search_days == 0 {
            return Err("hold_ttl_seconds, sweep_interval_ms and max_search_days must be positive".into());
        }
        Ok(())
    }
}
