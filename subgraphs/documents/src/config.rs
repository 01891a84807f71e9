//! The `[documents]` table of the configuration.

use secrecy::SecretString;
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
        if self.link_ttl_seconds == 0 || self.max_file_bytes == 0 || self.max_concurrent_renders == 0 {
            return Err(
                "[documents] link_ttl_seconds, max_file_bytes and max_concurrent_renders must be positive"
                    .into(),
            );
        }
        if let StorageConfig::S3 { bucket, .. } = &self.storage
            && bucket.is_empty()
        {
            return Err("[documents.storage] bucket must be set".into());
        }
        Ok(())
    }
}
