//! How long a tenant keeps one data type.

use sea_orm::entity::prelude::*;

/// A row of `retention_rules`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "retention_rules")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Data type key (see the retention catalog).
    pub data_type: String,
    /// Rows older than this are purged.
    pub max_age_days: i64,
    /// JSON: user ids on legal hold.
    #[sea_orm(column_type = "Text")]
    pub exceptions: String,
    /// Whether the purge applies it.
    pub enabled: bool,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
