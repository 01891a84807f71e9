//! The `[complaints]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[complaints]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintsConfig {
    /// Milliseconds between SLA engine passes (breaches fire at most this
    /// late).
    pub sla_tick_ms: u64,
}

impl Default for ComplaintsConfig {
    fn default() -> Self {
        Self { sla_tick_ms: 5_000 }
    }
}

impl Section for ComplaintsConfig {}
