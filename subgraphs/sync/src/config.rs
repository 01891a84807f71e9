//! The `[sync]` table of the configuration.

use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[sync]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// The most events one batch may carry; a larger batch is refused
    /// whole (`BATCH_TOO_LARGE`).
    pub max_batch_events: usize,
    /// The largest payload one event may carry, as JSON text.
    pub max_payload_bytes: usize,
    /// How far past the server's clock an event may say it happened, once
    /// its device's skew is taken off.
    pub max_future_seconds: i64,
    /// The most batches one device may send in a minute; the events of a
    /// device over it are rejected with `RATE_LIMITED` and not stored.
    pub device_batches_per_minute: i32,
    /// How old an accepted row must be before a device's pull of changes
    /// hands it out, in milliseconds: longer than any ingestion
    /// transaction runs, so a cursor never passes a row still committing.
    pub changes_settle_ms: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            max_batch_events: 500,
            max_payload_bytes: 64 * 1024,
            max_future_seconds: 300,
            device_batches_per_minute: 120,
            changes_settle_ms: 5_000,
        }
    }
}

impl Section for SyncConfig {
    fn validate(&self) -> Result<(), String> {
        if !(1..=10_000).contains(&self.max_batch_events) {
            return Err("max_batch_events: between 1 and 10000".into());
        }
        if !(1..=16 * 1024 * 1024).contains(&self.max_payload_bytes) {
            return Err("max_payload_bytes: between 1 and 16777216".into());
        }
        if self.max_future_seconds < 0 {
            return Err("max_future_seconds: 0 or more".into());
        }
        if self.device_batches_per_minute < 1 {
            return Err("device_batches_per_minute: 1 or more".into());
        }
        if self.changes_settle_ms > 600_000 {
            return Err("changes_settle_ms: at most 600000".into());
        }
        Ok(())
    }
}
