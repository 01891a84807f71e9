//! One grant, withdrawal or expiry: consent history is append-only.

use sea_orm::entity::prelude::*;

/// A row of `consent_records`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_records")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Whose consent.
    pub user_id: Uuid,
    /// Scope key.
    pub scope: String,
    /// `granted`, `withdrawn` or `expired`.
    pub action: String,
    /// Version of the consent text shown.
    pub text_version: String,
    /// Where it was given: web, app, paper, phone, system.
    pub channel: String,
    /// Client address, when known.
    pub source_ip: Option<String>,
    /// When a grant lapses.
    pub expires_at: Option<DateTimeUtc>,
    /// Signed receipt (JSON), for grants.
    #[sea_orm(column_type = "Text", nullable)]
    pub receipt: Option<String>,
    /// Who recorded it (the user, or staff on their behalf).
    pub recorded_by: Option<Uuid>,
    /// When.
    pub at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
