//! The `[documents]` table of the configuration.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use subgraph_kit::config::Section;

/// `[documents]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Where the files go.
    pub storage: StorageConfig,
    /// The base of download links (`{public_url}/{token}`): the router's
    /// `/files/documents` in production. Dev mode fills it in.
    pub public_url: Option<String>,
    /// The key download links are signed with, shared by every replica.
    /// Unset: a random key per process (right for dev mode; a link made by
    /// one replica then fails on another).
    pub link_key: Option<SecretString>,
    /// How long a download link works.
    pub link_ttl_seconds: u64,
    /// The largest file a version may hold (uploads and generated PDFs).
    pub max_file_bytes: usize,
    /// The most renders running at once (each holds a blocking thread).
    pub max_concurrent_renders: usize,
    /// The platform's Ed25519 key completed documents are sealed with: 32
    /// bytes, base64. Unset: a random key per process (each seal records
    /// its public key, so a seal made by it still verifies later; nobody
    /// outside can trust such a key).
    pub seal_key: Option<SecretString>,
    /// A pending signer is reminded when they have not acted this many
    /// hours after they were asked or last reminded.
    pub reminder_after_hours: u32,
    /// Milliseconds between passes of the worker that reminds signers and
    /// expires documents past their signing deadline.
    pub sweep_interval_ms: u64,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self {
            storage: StorageConfig::default(),
            public_url: None,
            link_key: None,
            link_ttl_seconds: 300,
            max_file_bytes: 10 * 1024 * 1024,
            max_concurrent_renders: 4,
            seal_key: None,
            reminder_after_hours: 24,
            sweep_interval_ms: 60_000,
        }
    }
}

/// `[documents.storage]`: the object store versions are written to.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StorageConfig {
    /// A directory on the local file system (dev).
    Fs {
        /// The directory; created when missing.
        path: String,
    },
    /// Any S3-compatible store.
    S3 {
        /// The bucket.
        bucket: String,
        /// The endpoint (`https://s3.eu-west-1.amazonaws.com`, a MinIO or
        /// Garage URL); unset: AWS's for `region`.
        endpoint: Option<String>,
        /// The region.
        #[serde(default = "default_region")]
        region: String,
        /// Access key id.
        access_key_id: String,
        /// Secret access key.
        secret_access_key: SecretString,
        /// Allow a plain-HTTP endpoint (a store on a private network).
        #[serde(default)]
        allow_http: bool,
    },
    /// In memory, lost at exit (tests and benchmarks).
    Memory,
}

fn default_region() -> String {
    "us-east-1".into()
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self::Fs { path: "data/documents".into() }
    }
}

impl DocumentsConfig {
    /// [`DocumentsConfig::link_ttl_seconds`] as a duration.
    pub fn link_ttl(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.link_ttl_seconds.min(86_400) as i64)
    }
}

impl Section for DocumentsConfig {
    fn validate(&self) -> Result<(), String> {
        if self.link_ttl_seconds == 0
            || self.max_file_bytes == 0
            || self.max_concurrent_renders == 0
            || self.reminder_after_hours == 0
            || self.sweep_interval_ms == 0
        {
            return Err("every [documents] number must be positive".into());
        }
        if let Some(key) = &self.seal_key {
            crate::seal::Sealer::from_base64(key.expose_secret())
                .map_err(|e| format!("[documents] seal_key: {e}"))?;
        }
        if let StorageConfig::S3 { bucket, .. } = &self.storage
            && bucket.is_empty()
        {
            return Err("[documents.storage] bucket must be set".into());
        }
        Ok(())
    }
}
