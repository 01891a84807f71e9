//! The `[notifications]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[notifications]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Attempts per webhook-style delivery before it is marked failed.
    pub max_attempts: u32,
    /// First retry delay in milliseconds; doubled per attempt.
    pub retry_base_ms: u64,
    /// Timeout of one delivery attempt in milliseconds.
    pub delivery_timeout_ms: u64,
    /// Milliseconds between passes of the delivery worker.
    pub delivery_tick_ms: u64,
    /// SMTP server for email, `smtp://host:port`; email deliveries fail
    /// with "email not configured" without it.
    pub smtp_url: Option<String>,
    /// Sender address for email.
    pub email_from: String,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            retry_base_ms: 1_000,
            delivery_timeout_ms: 5_000,
            delivery_tick_ms: 500,
            smtp_url: None,
            email_from: "backbone@localhost".into(),
        }
    }
}

impl Section for NotificationsConfig {}
