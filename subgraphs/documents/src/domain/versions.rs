//! Versions: bytes written once to the object store under a new key,
//! their SHA-256 and size recorded beside them. Nothing rewrites a
//! version; a change is the next version.

use backbone_entities::documents::version::{self, VersionOrigin};
use bytes::Bytes;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{Services, invalid};
pub use crate::seal::Seal;
use crate::store::Store;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refuses a file over the size limit (uploads and rendered PDFs).
pub fn check_size(services: &Services, bytes: &[u8]) -> ApiResult<()> {
    if bytes.len() > services.settings.max_file_bytes {
        return Err(invalid(
            "FILE_TOO_LARGE",
            format!("a file is at most {} bytes", services.settings.max_file_bytes),
        ));
    }
    Ok(())
}

/// Refuses what is not a PDF or is over the size limit.
pub fn check_pdf(services: &Services, bytes: &[u8]) -> ApiResult<()> {
    check_size(services, bytes)?;
    if !bytes.starts_with(b"%PDF-") || lopdf::Document::load_mem(bytes).is_err() {
        return Err(invalid("NOT_A_PDF", "the file is not a readable PDF"));
    }
    Ok(())
}

/// A version about to be written.
pub struct NewVersion {
    /// The tenant.
    pub tenant_id: Uuid,
    /// The document.
    pub document_id: Uuid,
    /// Its number.
    pub number: i32,
    /// How it came to be.
    pub origin: VersionOrigin,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// The platform's seal (completed versions only).
    pub seal: Option<Seal>,
}

/// Writes the bytes under a new key, then the row (inside the caller's
/// transaction). A failed transaction leaves an object no row names,
/// never a row without its bytes.
pub async fn write(
    services: &Services,
    db: &impl ConnectionTrait,
    new: NewVersion,
    bytes: Vec<u8>,
) -> ApiResult<version::Model> {
    let id = Uuid::now_v7();
    let key = Store::key(new.tenant_id, new.document_id, id);
    let sha = sha256(&bytes);
    let size = bytes.len() as i64;
    services.store.put(&key, Bytes::from(bytes)).await?;
    Ok(version::ActiveModel {
        id: Set(id),
        tenant_id: Set(new.tenant_id),
        document_id: Set(new.document_id),
        number: Set(new.number),
        origin: Set(new.origin),
        sha256: Set(sha),
        size_bytes: Set(size),
        content_type: Set("application/pdf".into()),
        storage_key: Set(key),
        seal_signature: Set(new.seal.as_ref().map(|s| s.signature.clone())),
        seal_public_key: Set(new.seal.map(|s| s.public_key)),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// A document's versions, oldest first (a document has few).
pub async fn of_document(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    document_id: Uuid,
) -> ApiResult<Vec<version::Model>> {
    Ok(version::Entity::find()
        .filter(version::Column::TenantId.eq(tenant_id))
        .filter(version::Column::DocumentId.eq(document_id))
        .order_by_asc(version::Column::Number)
        .all(db)
        .await?)
}

/// One version of a document.
pub async fn numbered(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    document_id: Uuid,
    number: i32,
) -> ApiResult<version::Model> {
    version::Entity::find()
        .filter(version::Column::TenantId.eq(tenant_id))
        .filter(version::Column::DocumentId.eq(document_id))
        .filter(version::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such version of this document".into()))
}

/// Reads a version's bytes and checks them against the recorded SHA-256:
/// bytes changed in the store are refused, not served.
pub async fn read(services: &Services, v: &version::Model) -> ApiResult<Bytes> {
    let bytes = services.store.get(&v.storage_key).await?;
    if sha256(&bytes) != v.sha256 {
        return Err(ApiError::Internal(format!("version {} no longer matches its SHA-256", v.id)));
    }
    Ok(bytes)
}
