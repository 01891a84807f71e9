//! A tenant's AI settings: PII and logging modes.

use sea_orm::entity::prelude::*;

/// A row of `ai_settings`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_settings")]
pub struct Model {
    /// Tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// `mask` or `block`.
    pub pii_mode: String,
    /// `full` or `hash`.
    pub log_mode: String,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
