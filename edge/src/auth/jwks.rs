//! A JWKS cache: keys fetched from a URL, refreshed when stale or when a
//! token names a key id we have not seen (key rotation).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use jsonwebtoken::{Algorithm, DecodingKey, jwk::JwkSet};
use tokio::sync::{Mutex, RwLock};

use super::TokenError;

struct Keys {
    fetched_at: Option<Instant>,
    by_kid: HashMap<String, (Option<Algorithm>, DecodingKey)>,
}

/// Keys of one JWKS URL.
pub(crate) struct JwksCache {
    url: String,
    ttl: Duration,
    min_refetch: Duration,
    client: reqwest::Client,
    keys: RwLock<Keys>,
    fetch_lock: Mutex<()>,
}

/// An HTTP client builder using rustls with the ring provider, the one
/// crypto provider of the tree (reqwest is built without its own).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    // Also the process default, so no client anywhere can be built without
    // a provider; an error means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let builder =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions();
    let mut client = reqwest::Client::builder();
    if let Ok(builder) = builder {
        let tls = builder.with_root_certificates(roots).with_no_client_auth();
        client = client.tls_backend_preconfigured(tls);
    }
    client
}

/// A client from [`http_client_builder`] with a 10 s timeout.
pub fn http_client() -> reqwest::Client {
    // Building fails only without a TLS provider, which is installed above;
    // the plain client is the (equally provided) fallback.
    http_client_builder().timeout(Duration::from_secs(10)).build().unwrap_or_default()
}

impl JwksCache {
    pub(crate) fn new(url: String, ttl_seconds: u64, min_refetch_seconds: u64) -> Self {
        Self {
            url,
            ttl: Duration::from_secs(ttl_seconds),
            min_refetch: Duration::from_secs(min_refetch_seconds),
            client: http_client(),
            keys: RwLock::new(Keys { fetched_at: None, by_kid: HashMap::new() }),
            fetch_lock: Mutex::new(()),
        }
    }

    /// The key for `kid`, checked against the token's algorithm.
    pub(crate) async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, TokenError> {
        {
            let keys = self.keys.read().await;
            let fresh = keys.fetched_at.is_some_and(|t| t.elapsed() < self.ttl);
            if fresh && let Some(found) = keys.by_kid.get(kid) {
                return check_alg(found, alg);
            }
        }
        self.refresh().await?;
        let keys = self.keys.read().await;
        keys.by_kid
            .get(kid)
            .ok_or_else(|| TokenError::NoKey(format!("unknown kid {kid}")))
            .and_then(|found| check_alg(found, alg))
    }

    async fn refresh(&self) -> Result<(), TokenError> {
        let _guard = self.fetch_lock.lock().await;
        if let Some(at) = self.keys.read().await.fetched_at
            && at.elapsed() < self.min_refetch
        {
            return Ok(());
        }
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| TokenError::NoKey(format!("JWKS fetch: {e}")))?
            .json()
            .await
            .map_err(|e| TokenError::NoKey(format!("JWKS parse: {e}")))?;
        let mut by_kid = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)) else {
                continue;
            };
            let alg = jwk.common.key_algorithm.and_then(|a| a.to_string().parse::<Algorithm>().ok());
            by_kid.insert(kid, (alg, key));
        }
        *self.keys.write().await = Keys { fetched_at: Some(Instant::now()), by_kid };
        Ok(())
    }
}

fn check_alg(
    (declared, key): &(Option<Algorithm>, DecodingKey),
    alg: Algorithm,
) -> Result<DecodingKey, TokenError> {
    match declared {
        Some(d) if *d != alg => Err(TokenError::Invalid(format!("key is for {d:?}, token is {alg:?}"))),
        _ => Ok(key.clone()),
    }
}
