//! Where versions' bytes live: an object store (the local file system in
//! dev, any S3-compatible store in production, memory in benchmarks).
//!
//! Keys are `t/{tenant}/d/{document}/{version}`: a version's key is new
//! when it is written and never written again, so stored bytes never
//! change; erasing a document deletes everything under its prefix.

use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path};
use secrecy::ExposeSecret;
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use crate::config::StorageConfig;

/// The object store and how keys are laid out in it.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Result<Arc<dyn ObjectStore>, Arc<str>>,
}

/// The in-memory store, one per process so every route and schema of the
/// process sees the same objects.
static MEMORY: std::sync::LazyLock<Arc<object_store::memory::InMemory>> =
    std::sync::LazyLock::new(|| Arc::new(object_store::memory::InMemory::new()));

impl Store {
    /// Opens the store `config` names.
    pub fn open(config: &StorageConfig) -> Result<Self, object_store::Error> {
        let inner: Arc<dyn ObjectStore> = match config {
            StorageConfig::Fs { path } => {
                std::fs::create_dir_all(path).map_err(|source| object_store::Error::Generic {
                    store: "fs",
                    source: Box::new(source),
                })?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(path)?)
            }
            StorageConfig::S3 { bucket, endpoint, region, access_key_id, secret_access_key, allow_http } => {
                // The store's HTTP client uses the process's rustls provider
                // (ring, as everywhere in the tree); an error means one is set.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key.expose_secret())
                    .with_allow_http(*allow_http);
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                Arc::new(builder.build()?)
            }
            StorageConfig::Memory => MEMORY.clone(),
        };
        Ok(Self { inner: Ok(inner) })
    }

    /// A store that could not be opened: every read and write fails with
    /// `reason` (logged), nothing falls back to somewhere else.
    pub fn unavailable(reason: String) -> Self {
        Self { inner: Err(reason.into()) }
    }

    fn inner(&self) -> ApiResult<&Arc<dyn ObjectStore>> {
        self.inner
            .as_ref()
            .map_err(|reason| ApiError::Internal(format!("document store unavailable: {reason}")))
    }

    /// The key of a version's bytes.
    pub fn key(tenant_id: Uuid, document_id: Uuid, version_id: Uuid) -> String {
        format!("t/{tenant_id}/d/{document_id}/{version_id}")
    }

    /// The prefix every version of a document is under.
    pub fn document_prefix(tenant_id: Uuid, document_id: Uuid) -> String {
        format!("t/{tenant_id}/d/{document_id}")
    }

    /// Writes a new object.
    pub async fn put(&self, key: &str, bytes: Bytes) -> ApiResult<()> {
        self.inner()?.put(&Path::from(key), PutPayload::from_bytes(bytes)).await.map_err(unavailable)?;
        Ok(())
    }

    /// Reads an object.
    pub async fn get(&self, key: &str) -> ApiResult<Bytes> {
        let got = self.inner()?.get(&Path::from(key)).await.map_err(unavailable)?;
        got.bytes().await.map_err(unavailable)
    }

    /// Deletes one object (already gone is fine).
    pub async fn delete(&self, key: &str) -> ApiResult<()> {
        match self.inner()?.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Deletes every object under the folder `prefix` (a whole key is not
    /// a folder: use [`Store::delete`]); returns how many.
    pub async fn delete_prefix(&self, prefix: &str) -> ApiResult<u64> {
        let inner = self.inner()?;
        let keys: Vec<Path> = inner
            .list(Some(&Path::from(prefix)))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(unavailable)?;
        for key in &keys {
            match inner.delete(key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(keys.len() as u64)
    }
}

fn unavailable(e: object_store::Error) -> ApiError {
    ApiError::Internal(format!("document store: {e}"))
}
