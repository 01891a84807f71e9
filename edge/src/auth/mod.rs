//! Verifying bearer tokens (HS256 with a shared secret, RS256/ES256 from
//! a cached JWKS), minting dev and test tokens, and the one HTTP client
//! factory (rustls with ring) every outbound call uses.

mod jwks;
mod verifier;

pub use jwks::{http_client, http_client_builder};
pub use verifier::{TokenError, TokenVerifier};

use crate::config::AuthConfig;

/// Signs claims with the configured HS256 secret (dev tokens, tests).
pub fn mint_hs256(secret: &str, claims: &backbone_schema::Claims) -> Result<String, TokenError> {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| TokenError::Invalid(e.to_string()))
}

/// Claims for `user` in `tenant` with `roles`, valid for `ttl_seconds`,
/// with the configured issuer and audience.
pub fn claims_for(
    config: &AuthConfig,
    tenant: uuid::Uuid,
    user: uuid::Uuid,
    roles: &[&str],
    ttl_seconds: i64,
) -> backbone_schema::Claims {
    let now = chrono::Utc::now().timestamp();
    backbone_schema::Claims {
        sub: user,
        tid: tenant,
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        scope: String::new(),
        exp: now + ttl_seconds,
        iat: now,
        iss: config.issuer.clone(),
        aud: config.audience.clone(),
        kind: None,
    }
}
