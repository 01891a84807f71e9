//! Calls between Backbone services that do not go through the router: the
//! consent check the AI and memory subgraphs make, and the DSAR and
//! retention jobs. They carry a shared secret instead of a user token,
//! because jobs run long after the user's token expired.

use std::time::Duration;

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};
use subtle::ConstantTimeEq;

/// Header carrying the shared secret.
pub const HEADER: &str = "x-backbone-internal";

/// Why a call to another service failed (for the log; callers map it to a
/// client-safe error).
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    /// No URL is configured for the service.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// The service could not be reached or timed out.
    #[error("{url} unreachable: {source}")]
    Unreachable {
        /// Where.
        url: String,
        /// Why.
        source: reqwest::Error,
    },
    /// The service answered with an error status.
    #[error("{url} answered {status}: {body}")]
    Status {
        /// Where.
        url: String,
        /// HTTP status.
        status: u16,
        /// Answer body (the service's own client-safe message).
        body: String,
    },
}

/// The shared secret of this process: configured, or random.
pub fn token(configured: Option<&SecretString>) -> SecretString {
    configured.cloned().unwrap_or_else(|| {
        let bytes: [u8; 32] = rand::random();
        SecretString::from(hex::encode(bytes))
    })
}

/// Whether `headers` carry the shared secret (compared in constant time).
pub fn authorized(headers: &HeaderMap, secret: &SecretString) -> bool {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| bool::from(v.as_bytes().ct_eq(secret.expose_secret().as_bytes())))
}

/// A client for `/internal/*` endpoints of other services.
#[derive(Clone)]
pub struct InternalClient {
    http: reqwest::Client,
    secret: SecretString,
}

impl InternalClient {
    /// A client sending `secret`, with `timeout` per call.
    pub fn new(secret: SecretString, timeout: Duration) -> Self {
        let http = crate::auth::http_client_builder().timeout(timeout).build().unwrap_or_default();
        Self { http, secret }
    }

    /// POSTs `body` as JSON to `url` and reads a JSON answer.
    pub async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<R, InternalError> {
        let unreachable = |source| InternalError::Unreachable { url: url.to_owned(), source };
        let response = self
            .http
            .post(url)
            .header(HEADER, self.secret.expose_secret())
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(InternalError::Status { url: url.to_owned(), status: status.as_u16(), body });
        }
        response.json().await.map_err(unreachable)
    }
}

/// Asks the consent service at `consent_url` (`services.consent_url`)
/// whether `user_id` consents to each of `scopes` now. Fails closed: when
/// the service is unset or unreachable the answer is an error
/// (`SUBGRAPH_UNAVAILABLE` naming consent), never a yes.
pub async fn consents(
    consent_url: Option<&str>,
    client: &InternalClient,
    tenant_id: uuid::Uuid,
    user_id: uuid::Uuid,
    scopes: &[&str],
) -> crate::ApiResult<Vec<bool>> {
    #[derive(serde::Deserialize)]
    struct Answer {
        granted: Vec<bool>,
    }
    let unavailable = |why: String| {
        tracing::warn!(%why, "consent check failed");
        crate::ApiError::Coded {
            code: backbone_schema::ErrorCode::SubgraphUnavailable,
            message: "subgraph consent is unavailable; nothing was processed".into(),
        }
    };
    let Some(base) = consent_url else {
        return Err(unavailable(InternalError::NotConfigured("services.consent_url").to_string()));
    };
    let url = format!("{}/internal/consent/check", base.trim_end_matches('/'));
    let body = serde_json::json!({ "tenant_id": tenant_id, "user_id": user_id, "scopes": scopes });
    let answer: Answer = client.post(&url, &body).await.map_err(|e| unavailable(e.to_string()))?;
    if answer.granted.len() != scopes.len() {
        return Err(unavailable("consent answered the wrong number of decisions".into()));
    }
    Ok(answer.granted)
}
