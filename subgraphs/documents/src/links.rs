//! Short-lived signed download links. A link names one version in one
//! tenant, who asked for it and until when it works, under an HMAC of the
//! deployment's link key; the permission check happens when the link is
//! made, so whoever holds it may fetch that version until it expires.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// What a link grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The tenant the version belongs to.
    pub tenant_id: Uuid,
    /// The version.
    pub version_id: Uuid,
    /// Who the link was made for (the download is audited as theirs).
    pub user_id: Uuid,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a link this deployment signed (or altered).
    #[error("the link is not valid")]
    Invalid,
    /// Past its expiry.
    #[error("the link has expired; ask for a new one")]
    Expired,
}

/// The key when none is configured: one per process, so every schema and
/// route of the process agrees on it.
static PROCESS_KEY: std::sync::LazyLock<[u8; 32]> = std::sync::LazyLock::new(rand::random);

const PAYLOAD: usize = 16 * 3 + 8;

/// Signs and checks links with one key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// A signer over `key`, or over a random key when there is none.
    pub fn new(key: Option<&SecretString>) -> Self {
        let key = match key {
            Some(k) => k.expose_secret().as_bytes().to_vec(),
            None => PROCESS_KEY.to_vec(),
        };
        Self { key }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes a key of any length")
    }

    /// The token of `grant` (URL-safe).
    pub fn sign(&self, grant: &Grant) -> String {
        let mut payload = Vec::with_capacity(PAYLOAD + 32);
        payload.extend_from_slice(grant.tenant_id.as_bytes());
        payload.extend_from_slice(grant.version_id.as_bytes());
        payload.extend_from_slice(grant.user_id.as_bytes());
        payload.extend_from_slice(&grant.expires_at.timestamp().to_be_bytes());
        let mut mac = self.mac();
        mac.update(&payload);
        payload.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// Checks `token` at `now`.
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> Result<Grant, LinkError> {
        let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| LinkError::Invalid)?;
        if raw.len() != PAYLOAD + 32 {
            return Err(LinkError::Invalid);
        }
        let (payload, tag) = raw.split_at(PAYLOAD);
        let mut mac = self.mac();
        mac.update(payload);
        mac.verify_slice(tag).map_err(|_| LinkError::Invalid)?;
        let id = |i: usize| Uuid::from_slice(&payload[i * 16..(i + 1) * 16]).map_err(|_| LinkError::Invalid);
        let seconds = i64::from_be_bytes(payload[48..56].try_into().map_err(|_| LinkError::Invalid)?);
        let expires_at = DateTime::from_timestamp(seconds, 0).ok_or(LinkError::Invalid)?;
        if expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(Grant { tenant_id: id(0)?, version_id: id(1)?, user_id: id(2)?, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_works_until_it_expires_and_not_when_altered() {
        let signer = Signer::new(None);
        let now = Utc::now();
        let grant = Grant {
            tenant_id: Uuid::new_v4(),
            version_id: Uuid::new_v4(),
            user_id: Uuid::new_v4(),
            expires_at: DateTime::from_timestamp(now.timestamp() + 60, 0).expect("test value"),
        };
        let token = signer.sign(&grant);
        assert_eq!(signer.check(&token, now), Ok(grant));
        assert_eq!(signer.check(&token, grant.expires_at), Err(LinkError::Expired));
        let other = Signer::new(Some(&SecretString::from("another deployment's key")));
        assert_eq!(other.check(&token, now), Err(LinkError::Invalid));
        let mut raw = URL_SAFE_NO_PAD.decode(&token).expect("test value");
        raw[20] ^= 1;
        assert_eq!(signer.check(&URL_SAFE_NO_PAD.encode(raw), now), Err(LinkError::Invalid));
        assert_eq!(signer.check("not a token", now), Err(LinkError::Invalid));
    }
}
