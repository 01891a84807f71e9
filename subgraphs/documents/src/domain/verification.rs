//! Verifying bytes someone holds: which document and version they are,
//! whether they are intact, who signed, and whether the platform's seal
//! holds.
//!
//! Bytes are matched by SHA-256. A sealed (completed) version is found
//! whoever asks: its bytes carry the certificate page with the signers,
//! so answering tells the holder nothing the file does not (a pharmacy
//! checks a prescription from another clinic). Any other version, and a
//! copy that does not match but names a document in its keywords
//! (tampered), is answered only within the caller's tenant.

use backbone_entities::documents::{
    document,
    signer::{self, SignerRole, SignerStatus},
    version::{self, VersionOrigin},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use subgraph_kit::ApiResult;
use uuid::Uuid;

use super::{rendering::MARKER_PREFIX, signing, versions};

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Exactly a version's bytes.
    Intact,
    /// Not any version's bytes, but they name a document of the caller's
    /// tenant: changed after they left.
    Tampered,
    /// Not a version we know.
    Unknown,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct Verification {
    /// What the bytes are.
    pub verdict: Verdict,
    /// The SHA-256 of the bytes given.
    pub sha256: String,
    /// The document (when intact or tampered).
    pub document: Option<document::Model>,
    /// The version (when intact).
    pub version: Option<version::Model>,
    /// Whether the platform's seal verifies (sealed versions).
    pub seal_valid: Option<bool>,
    /// Who signed (intact versions of the caller's tenant, or sealed ones).
    pub signers: Vec<signer::Model>,
}

/// Verifies `bytes` for a caller of `tenant_id`.
pub async fn verify(db: &impl ConnectionTrait, tenant_id: Uuid, bytes: &[u8]) -> ApiResult<Verification> {
    let sha256 = versions::sha256(bytes);
    let matches =
        version::Entity::find().filter(version::Column::Sha256.eq(&sha256)).limit(20).all(db).await?;
    let found = matches
        .iter()
        .find(|v| v.tenant_id == tenant_id)
        .or_else(|| {
            matches.iter().find(|v| v.origin == VersionOrigin::Completed && v.seal_signature.is_some())
        })
        .cloned();
    let mut answer = Verification {
        verdict: Verdict::Unknown,
        sha256,
        document: None,
        version: None,
        seal_valid: None,
        signers: Vec::new(),
    };
    if let Some(v) = found {
        let d = document::Entity::find_by_id(v.document_id)
            .filter(document::Column::TenantId.eq(v.tenant_id))
            .one(db)
            .await?;
        if let Some(d) = d {
            answer.seal_valid = match (&v.seal_signature, &v.seal_public_key) {
                (Some(sig), Some(key)) => Some(crate::seal::verify(&v.sha256, sig, key)),
                _ => None,
            };
            answer.signers = signing::active(db, &d)
                .await?
                .into_iter()
                .filter(|r| r.role != SignerRole::Viewer && r.status == SignerStatus::Signed)
                .collect();
            answer.verdict = Verdict::Intact;
            answer.document = Some(d);
            answer.version = Some(v);
            return Ok(answer);
        }
    }
    if let Some(id) = named_document(bytes) {
        let d =
            document::Entity::find_by_id(id).filter(document::Column::TenantId.eq(tenant_id)).one(db).await?;
        if let Some(d) = d {
            answer.verdict = Verdict::Tampered;
            answer.document = Some(d);
        }
    }
    Ok(answer)
}

/// The document a PDF names in its keywords (`backbone-document:<id>`),
/// found in the raw bytes (the XMP metadata and the info dictionary keep
/// it in plain text).
fn named_document(bytes: &[u8]) -> Option<Uuid> {
    let prefix = MARKER_PREFIX.as_bytes();
    bytes.windows(prefix.len()).enumerate().filter(|(_, w)| *w == prefix).find_map(|(i, _)| {
        let start = i + prefix.len();
        let id = bytes.get(start..start + 36)?;
        Uuid::parse_str(std::str::from_utf8(id).ok()?).ok()
    })
}
