//! API keys at the edge: the router exchanges `X-Api-Key` for a short-lived
//! token (the tenants subgraph signs it with the key's tenant, roles and
//! scopes) and forwards that instead, so every subgraph sees one kind of
//! credential. Tokens are cached until shortly before they expire; the
//! subgraphs still check the key is not revoked on every request.

use std::{
    num::NonZeroUsize,
    time::{Duration, Instant},
};

use lru::LruCache;
use parking_lot::Mutex;

use crate::error::PipelineError;

/// Tokens are reused until this long before they expire.
const MARGIN: Duration = Duration::from_secs(10);

/// The exchange client with its cache (keyed by a hash of the key).
pub struct ApiKeyExchange {
    http: reqwest::Client,
    cache: Mutex<LruCache<u64, (String, Instant)>>,
}

impl Default for ApiKeyExchange {
    fn default() -> Self {
        let cap = NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN);
        Self { http: backbone_edge::auth::http_client(), cache: Mutex::new(LruCache::new(cap)) }
    }
}

impl ApiKeyExchange {
    /// A token for `key`, or `None` when no exchange is configured (the key
    /// is then forwarded as it is). A refused key is UNAUTHENTICATED.
    pub async fn exchange(&self, key: &str, url: Option<&str>) -> Result<Option<String>, PipelineError> {
        let Some(url) = url else { return Ok(None) };
        let id = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        if let Some((token, until)) = self.cache.lock().get(&id)
            && *until > Instant::now()
        {
            return Ok(Some(token.clone()));
        }
        let refused = || PipelineError::Unauthenticated("invalid API key".into());
        let response = self.http.post(url).header("x-api-key", key).send().await.map_err(|_| refused())?;
        if !response.status().is_success() {
            return Err(refused());
        }
        let body: serde_json::Value = response.json().await.map_err(|_| refused())?;
        let token = body["token"].as_str().ok_or_else(refused)?.to_owned();
        let ttl = Duration::from_secs(body["expiresIn"].as_u64().unwrap_or(0));
        if ttl > MARGIN {
            self.cache.lock().put(id, (token.clone(), Instant::now() + ttl - MARGIN));
        }
        Ok(Some(token))
    }
}
