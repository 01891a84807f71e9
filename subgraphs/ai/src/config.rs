//! The `[ai]` table of the configuration: the gateway's own rules. The
//! provider it calls is the platform's `[llm]`.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[ai]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiConfig {
    /// Ask the provider's moderation endpoint about each answer.
    pub moderation: bool,
    /// Token budget of a tenant that has none set.
    pub default_budget_tokens: i64,
}

impl Default for AiConfig {
    fn default() -> Self {
        Self { moderation: false, default_budget_tokens: 1_000_000 }
    }
}

impl Section for AiConfig {}
