//! One person asked to act on a document, in a step: steps go in order,
//! the people of one step in parallel. Their signature is bound to the
//! SHA-256 of the version they signed.

use sea_orm::entity::prelude::*;

/// A row of `document_signers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "document_signers")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The document.
    pub document_id: Uuid,
    /// 1, 2, …: a step starts when every signer and approver of the step
    /// before it has acted.
    pub step: i32,
    /// What they are asked to do.
    pub role: SignerRole,
    /// The template's signer role they fill signature fields of
    /// (`patient`), when the template names roles.
    pub field_role: Option<String>,
    /// Who.
    pub user_id: Uuid,
    /// Where they are.
    pub status: SignerStatus,
    /// When they were asked.
    pub invited_at: Option<DateTimeUtc>,
    /// When they were last reminded.
    pub reminded_at: Option<DateTimeUtc>,
    /// When they signed, approved or declined.
    pub acted_at: Option<DateTimeUtc>,
    /// The version they signed.
    pub version_number: Option<i32>,
    /// That version's SHA-256.
    pub version_sha256: Option<String>,
    /// `typed` or `drawn`.
    pub signature_kind: Option<String>,
    /// The typed name.
    pub signature_text: Option<String>,
    /// The drawn signature's key in the object store.
    pub signature_image_key: Option<String>,
    /// The consent to sign electronically they agreed to, word for word.
    pub consent_text: Option<String>,
    /// Their address when they acted.
    pub ip: Option<String>,
    /// Their user agent when they acted.
    pub user_agent: Option<String>,
    /// Why they declined.
    pub decline_reason: Option<String>,
    /// When they were added.
    pub created_at: DateTimeUtc,
}

/// What a signer is asked to do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// Signs.
    #[sea_orm(string_value = "signer")]
    Signer,
    /// Approves (a signature without signature fields).
    #[sea_orm(string_value = "approver")]
    Approver,
    /// Is sent a copy; nothing waits for them.
    #[sea_orm(string_value = "viewer")]
    Viewer,
}

/// Where a signer is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum SignerStatus {
    /// Their step has not started.
    #[sea_orm(string_value = "waiting")]
    Waiting,
    /// Asked, not yet acted.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Signed or approved.
    #[sea_orm(string_value = "signed")]
    Signed,
    /// Declined.
    #[sea_orm(string_value = "declined")]
    Declined,
    /// Their signature or request no longer counts (a new version, or the
    /// document was voided).
    #[sea_orm(string_value = "voided")]
    Voided,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
