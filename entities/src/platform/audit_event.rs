//! One append-only, hash-chained audit event.

use sea_orm::entity::prelude::*;

/// A row of `audit_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Event id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Position in the tenant's chain, from 1.
    pub seq: i64,
    /// Who acted; `None` for the system.
    pub actor_id: Option<Uuid>,
    /// What happened, e.g. `user.invited`.
    pub event_type: String,
    /// Kind of the resource acted on.
    pub resource_type: String,
    /// Id of the resource acted on.
    pub resource_id: String,
    /// Event details as JSON text.
    pub data: String,
    /// When it happened.
    pub occurred_at: DateTimeUtc,
    /// Hex SHA-256 of the previous event of this tenant (zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this event's fields and `prev_hash`.
    pub hash: String,
}

/// No relations: the audit log outlives what it describes.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
