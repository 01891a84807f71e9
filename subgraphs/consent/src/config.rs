//! The `[consent]` table of the configuration.

use secrecy::SecretString;
use serde::Deserialize;
use subgraph_kit::config::Section;

/// One subgraph that keeps personal data, for DSAR and retention jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataService {
    /// Subgraph name.
    pub name: String,
    /// Base URL (`http://host:port`); `/internal/data/*` is appended.
    pub url: String,
}

/// `[consent]`: consent, DSAR and retention.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentConfig {
    /// Ed25519 seed signing consent receipts, base64 of 32 bytes. Unset: a
    /// seed derived from `auth.hs256_secret` (or the dev secret), so every
    /// replica signs with the same key; set it in production.
    pub receipt_signing_key: Option<SecretString>,
    /// Hours a DSAR export package can be downloaded.
    pub package_ttl_hours: i64,
    /// How often the DSAR job and the consent-expiry sweep look for work, in ms.
    pub job_tick_ms: u64,
    /// How often retention rules are applied, in seconds.
    pub retention_tick_seconds: u64,
    /// Public base URL of the consent service, for package download links.
    /// Unset: links are relative (`/dsar/packages/…`).
    pub public_url: Option<String>,
    /// Subgraphs a DSAR or retention run covers. Dev mode fills it in.
    pub data_services: Vec<DataService>,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        Self {
            receipt_signing_key: None,
            package_ttl_hours: 72,
            job_tick_ms: 1_000,
            retention_tick_seconds: 3_600,
            public_url: None,
            data_services: Vec::new(),
        }
    }
}

impl Section for ConsentConfig {
    fn validate(&self) -> Result<(), String> {
        use base64::Engine;
        use secrecy::ExposeSecret;
        match &self.receipt_signing_key {
            Some(seed)
                if !base64::engine::general_purpose::STANDARD
                    .decode(seed.expose_secret().trim())
                    .is_ok_and(|b| b.len() == 32) =>
            {
                Err("receipt_signing_key must be base64 of 32 bytes".into())
            }
            _ => Ok(()),
        }
    }
}
