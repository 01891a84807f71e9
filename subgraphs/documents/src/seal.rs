//! The platform's seal: an Ed25519 signature over a completed version's
//! SHA-256, detached and recorded with the public key that verifies it.
//! Anyone holding the bytes and the public key can check it without us
//! (PAdES embedding would need a CMS signer; no maintained non-GPL Rust
//! crate writes one, see docs/decisions.md).

use base64::{Engine as _, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// The platform's Ed25519 signature over a version's SHA-256, base64.
#[derive(Debug, Clone)]
pub struct Seal {
    /// The signature.
    pub signature: String,
    /// The public key that verifies it.
    pub public_key: String,
}

/// Signs completed versions.
#[derive(Clone)]
pub struct Sealer {
    key: SigningKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer({})", self.key_id())
    }
}

/// One per process when no key is configured.
static PROCESS_KEY: std::sync::LazyLock<[u8; 32]> = std::sync::LazyLock::new(rand::random);

impl Sealer {
    /// The configured key, or the process's random one.
    pub fn new(key: Option<&SecretString>) -> Self {
        key.and_then(|k| Self::from_base64(k.expose_secret()).ok())
            .unwrap_or_else(|| Self { key: SigningKey::from_bytes(&PROCESS_KEY) })
    }

    /// A key from 32 bytes in base64.
    pub fn from_base64(seed: &str) -> Result<Self, String> {
        let bytes = STANDARD.decode(seed.trim()).map_err(|_| "not base64".to_owned())?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| "an Ed25519 key is 32 bytes".to_owned())?;
        Ok(Self { key: SigningKey::from_bytes(&seed) })
    }

    /// The public key, base64.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    /// A short name of the public key: the first 16 hex digits of its SHA-256.
    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }

    /// Seals the bytes whose SHA-256 is `sha256_hex`.
    pub fn seal(&self, sha256_hex: &str) -> Seal {
        Seal {
            signature: STANDARD.encode(self.key.sign(sha256_hex.as_bytes()).to_bytes()),
            public_key: self.public_key(),
        }
    }
}

/// Whether `signature` (base64) is `public_key`'s (base64) over `sha256_hex`.
pub fn verify(sha256_hex: &str, signature: &str, public_key: &str) -> bool {
    let key = STANDARD.decode(public_key).ok().and_then(|k| <[u8; 32]>::try_from(k).ok());
    let sig = STANDARD.decode(signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok());
    match (key.and_then(|k| VerifyingKey::from_bytes(&k).ok()), sig) {
        (Some(key), Some(sig)) => key.verify(sha256_hex.as_bytes(), &Signature::from_bytes(&sig)).is_ok(),
        _ => false,
    }
}

/// [`Sealer::key_id`] of a base64 public key.
pub fn key_id(public_key: &str) -> String {
    hex::encode(Sha256::digest(public_key.as_bytes()))[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_verifies_with_its_key_only_over_its_hash() {
        let sealer = Sealer::from_base64(&STANDARD.encode([7u8; 32])).expect("key");
        let seal = sealer.seal("abc");
        assert!(verify("abc", &seal.signature, &seal.public_key));
        assert!(!verify("abd", &seal.signature, &seal.public_key));
        let other = Sealer::from_base64(&STANDARD.encode([8u8; 32])).expect("key");
        assert!(!verify("abc", &seal.signature, &other.public_key()));
        assert!(Sealer::from_base64("short").is_err());
    }
}
