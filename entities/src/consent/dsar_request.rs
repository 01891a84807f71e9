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
    /// `access`, `portability`, `erasure` or `rectification`.
    pub kind: String,
    /// `submitted`, `processing`, `completed`, `failed` or `rejected`.
    pub status: String,
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

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
