//! Consent receipts: a JSON statement of one grant, signed with the
//! platform's Ed25519 key, verifiable by anyone holding the public key
//! (`consentReceiptKey`).

use base64::{Engine, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subgraph_kit::config::{Config, DEV_HS256_SECRET};

use crate::config::ConsentConfig;

/// What a receipt states.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Receipt id (the consent record id).
    pub receipt_id: String,
    /// Issuer (the platform's `auth.issuer`).
    pub issuer: String,
    /// Tenant.
    pub tenant_id: String,
    /// Person.
    pub user_id: String,
    /// Scope granted.
    pub scope: String,
    /// Consent text version shown.
    pub text_version: String,
    /// Channel.
    pub channel: String,
    /// Client address, if known.
    pub source_ip: Option<String>,
    /// When (RFC 3339).
    pub granted_at: String,
    /// Lapses at (RFC 3339), if it does.
    pub expires_at: Option<String>,
}

/// A signed receipt, as handed out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The statement.
    pub statement: Statement,
    /// `ed25519`.
    pub algorithm: String,
    /// Base64 signature over the statement's canonical JSON.
    pub signature: String,
}

/// The platform's receipt key.
#[derive(Clone)]
pub struct ReceiptKey(SigningKey);

impl ReceiptKey {
    /// The configured key (`consent.receipt_signing_key`), or one derived
    /// from the platform's token secret.
    pub fn from_config(config: &Config, consent: &ConsentConfig) -> Result<Self, String> {
        if let Some(seed) = &consent.receipt_signing_key {
            let bytes = STANDARD
                .decode(seed.expose_secret().trim())
                .map_err(|_| "consent.receipt_signing_key is not base64")?;
            let seed: [u8; 32] =
                bytes.try_into().map_err(|_| "consent.receipt_signing_key must be 32 bytes")?;
            return Ok(Self(SigningKey::from_bytes(&seed)));
        }
        let secret = config.auth.hs256_secret.as_ref().map_or(DEV_HS256_SECRET, |s| s.expose_secret());
        let seed: [u8; 32] =
            Sha256::new().chain_update(b"backbone consent receipts\0").chain_update(secret).finalize().into();
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// The public key, base64.
    pub fn public(&self) -> String {
        STANDARD.encode(self.0.verifying_key().as_bytes())
    }

    /// Signs `statement`.
    pub fn sign(&self, statement: Statement) -> Receipt {
        let signature = self.0.sign(&canonical(&statement));
        Receipt { statement, algorithm: "ed25519".into(), signature: STANDARD.encode(signature.to_bytes()) }
    }

    /// Whether `receipt` (JSON) was signed by this key and is unchanged.
    pub fn verify(&self, receipt: &str) -> bool {
        verify_with(&self.0.verifying_key(), receipt)
    }
}

fn verify_with(key: &VerifyingKey, receipt: &str) -> bool {
    let Ok(receipt) = serde_json::from_str::<Receipt>(receipt) else { return false };
    let Ok(bytes) = STANDARD.decode(&receipt.signature) else { return false };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes) else { return false };
    receipt.algorithm == "ed25519"
        && key.verify(&canonical(&receipt.statement), &Signature::from_bytes(&bytes)).is_ok()
}

/// Field order is the struct's, so the bytes are stable.
fn canonical(statement: &Statement) -> Vec<u8> {
    serde_json::to_vec(statement).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_receipt_no_longer_verifies() {
        let key = ReceiptKey::from_config(&Config::default(), &ConsentConfig::default()).expect("key");
        let statement = Statement {
            receipt_id: "r".into(),
            issuer: "backbone".into(),
            tenant_id: "t".into(),
            user_id: "u".into(),
            scope: "health_data".into(),
            text_version: "v1".into(),
            channel: "web".into(),
            source_ip: None,
            granted_at: "2026-01-01T00:00:00Z".into(),
            expires_at: None,
        };
        let receipt = serde_json::to_string(&key.sign(statement)).expect("json");
        assert!(key.verify(&receipt));
        assert!(!key.verify(&receipt.replace("health_data", "research")));
        assert!(!key.verify("not json"));
    }
}
