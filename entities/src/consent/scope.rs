//! A consent scope a tenant defined beside the platform's defaults.

use sea_orm::entity::prelude::*;

/// A row of `consent_scopes`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_scopes")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Dotted key; `a.b` is narrower than `a`.
    pub key: String,
    /// What consenting to it allows.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// When defined.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
