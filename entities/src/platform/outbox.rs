//! One domain event waiting to be (or already) published.

use sea_orm::entity::prelude::*;

/// A row of `outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Event id, also the envelope id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Event type, e.g. `user.invited`.
    pub event_type: String,
    /// Who caused it.
    pub actor: Option<Uuid>,
    /// Payload as JSON text.
    pub payload: String,
    /// When the change committed.
    pub occurred_at: DateTimeUtc,
    /// When the relay published it; `None` while pending.
    pub published_at: Option<DateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
