//! One immutable version of a document: its bytes' SHA-256, size and key
//! in the object store.

use sea_orm::entity::prelude::*;

/// A row of `document_versions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "document_versions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The document.
    pub document_id: Uuid,
    /// 1, 2, … per document.
    pub number: i32,
    /// How it came to be.
    pub origin: VersionOrigin,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Size of the bytes.
    pub size_bytes: i64,
    /// `application/pdf`.
    pub content_type: String,
    /// Where the bytes are in the object store.
    pub storage_key: String,
    /// The platform's Ed25519 signature over the SHA-256 (completed
    /// versions), base64.
    pub seal_signature: Option<String>,
    /// The public key it verifies with, base64.
    pub seal_public_key: Option<String>,
    /// Who made it (none for the platform's own, such as the sealed copy).
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// How a version came to be.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum VersionOrigin {
    /// Rendered from a template and data.
    #[sea_orm(string_value = "generated")]
    Generated,
    /// A PDF someone uploaded.
    #[sea_orm(string_value = "uploaded")]
    Uploaded,
    /// The signed document sealed by the platform, with its completion
    /// certificate.
    #[sea_orm(string_value = "completed")]
    Completed,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
