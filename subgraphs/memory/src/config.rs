//! The `[memory]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[memory]`: semantic memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryConfig {
    /// Most memories one recall ranks (and one user may keep).
    pub max_per_user: u64,
    /// Users whose vectors stay cached in memory for recall.
    pub cache_users: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self { max_per_user: 200_000, cache_users: 1_000 }
    }
}

impl Section for MemoryConfig {}
