//! A data-subject request and its outcome.

use sea_orm::entity::prelude::*;

/// A row of `dsar_requests`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dsar_requests")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The data subject; cleared once an erasure completed.
    pub subject_id: Option<Uuid>,
    /// SHA-256 of tenant and subject ids: matches requests after erasure.
    pub subject_hash: String,
    /// Who asked; cleared with the subject when it was the subject.
    pub requested_by: Option<Uuid>,
    /// What the person asked for.
    pub kind: DsarKind,
    /// Where the request is.
    pub status: DsarStatus,
    /// JSON: rectification corrections, notes.
    #[sea_orm(column_type = "Text")]
    pub details: String,
    /// JSON: per subgraph counts or errors.
    #[sea_orm(column_type = "Text", nullable)]
    pub result: Option<String>,
    /// JSON export package (access, portability) until it expires.
    #[sea_orm(column_type = "Text", nullable)]
    pub package: Option<String>,
    /// Random token of the download link.
    pub package_token: Option<String>,
    /// When the link stops working.
    pub package_expires_at: Option<DateTimeUtc>,
    /// Why it failed, client-safe.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// Submitted.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Finished.
    pub completed_at: Option<DateTimeUtc>,
}

/// What a data-subject request asks for, stored as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DsarKind {
    /// A copy of one's data.
    #[sea_orm(string_value = "access")]
    Access,
    /// One's data, machine-readable, to take elsewhere.
    #[sea_orm(string_value = "portability")]
    Portability,
    /// One's data erased.
    #[sea_orm(string_value = "erasure")]
    Erasure,
    /// Something corrected, by staff.
    #[sea_orm(string_value = "rectification")]
    Rectification,
}

/// Where a data-subject request is, stored as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DsarStatus {
    /// Recorded, waiting for the job (or for staff, for rectification).
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Being carried out.
    #[sea_orm(string_value = "processing")]
    Processing,
    /// Done.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// A service failed; see the error.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Refused by staff.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
