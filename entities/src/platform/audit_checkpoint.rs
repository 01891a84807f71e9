//! A signed checkpoint of one tenant's audit chain head.

use sea_orm::entity::prelude::*;

/// A row of `audit_checkpoints`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Tenant whose chain this checkpoints.
    pub tenant_id: Uuid,
    /// The head's sequence number when the checkpoint was taken.
    pub seq: i64,
    /// The head's hash then.
    pub hash: String,
    /// HMAC-SHA256 (hex) over tenant, seq and hash with the anchor key.
    pub mac: String,
    /// When it was taken.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
