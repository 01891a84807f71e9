//! JWT verification: HS256 with a shared secret, RS256/ES256 from JWKS.

use backbone_schema::Claims;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use secrecy::ExposeSecret;

use super::jwks::JwksCache;
use crate::config::AuthConfig;

/// Why a token was refused. Only [`TokenError::client_message`] reaches the
/// client; the full error goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token is past `exp`.
    #[error("token expired")]
    Expired,
    /// Signature, issuer, audience, algorithm or shape is wrong.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// No key could verify it (unknown kid, JWKS unreachable).
    #[error("no verification key: {0}")]
    NoKey(String),
}

impl TokenError {
    /// What the client is told.
    pub fn client_message(&self) -> &'static str {
        match self {
            Self::Expired => "token expired",
            Self::Invalid(_) | Self::NoKey(_) => "invalid token",
        }
    }
}

/// Verifies bearer tokens against the configured keys.
pub struct TokenVerifier {
    config: AuthConfig,
    hs256: Option<DecodingKey>,
    jwks: Option<JwksCache>,
}

impl TokenVerifier {
    /// Builds a verifier; tokens are refused when neither an HS256 secret
    /// nor a JWKS URL is configured.
    pub fn new(config: &AuthConfig) -> Self {
        let hs256 =
            config.hs256_secret.as_ref().map(|s| DecodingKey::from_secret(s.expose_secret().as_bytes()));
        let jwks = config.jwks_url.as_ref().map(|url| {
            JwksCache::new(url.clone(), config.jwks_cache_seconds, config.jwks_min_refetch_seconds)
        });
        Self { config: config.clone(), hs256, jwks }
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.set_issuer(&[&self.config.issuer]);
        v.set_audience(&[&self.config.audience]);
        v.leeway = self.config.leeway_seconds;
        v.validate_nbf = true;
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v
    }

    /// Verifies a token and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let key_owned;
        let key = match header.alg {
            // A symmetric token is only accepted with our own secret; a JWKS
            // public key is never used as an HMAC secret (alg confusion).
            Algorithm::HS256 => {
                self.hs256.as_ref().ok_or_else(|| TokenError::NoKey("HS256 not configured".into()))?
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                let jwks = self.jwks.as_ref().ok_or_else(|| TokenError::NoKey("no JWKS URL".into()))?;
                let kid = header.kid.as_deref().ok_or_else(|| TokenError::Invalid("no kid".into()))?;
                key_owned = jwks.key(kid, header.alg).await?;
                &key_owned
            }
            other => return Err(TokenError::Invalid(format!("algorithm {other:?} not accepted"))),
        };
        let claims = decode::<Claims>(token, key, &self.validation(header.alg))
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid(e.to_string()),
            })?;
        // A token issued in the future was minted by a clock or a key that
        // should not be trusted.
        let leeway = i64::try_from(self.config.leeway_seconds).unwrap_or(i64::MAX);
        if claims.iat > chrono::Utc::now().timestamp().saturating_add(leeway) {
            return Err(TokenError::Invalid("iat is in the future".into()));
        }
        Ok(claims)
    }
}
