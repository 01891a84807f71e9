//! One notification in a user inbox.

use sea_orm::entity::prelude::*;

/// A row of `notifications`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Recipient.
    pub user_id: Uuid,
    /// Category, e.g. `complaints`.
    pub category: String,
    /// Critical notifications bypass quiet hours.
    pub critical: bool,
    /// Title.
    pub title: String,
    /// Body.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// JSON: the event fields, for links.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// Event it came from (idempotency).
    pub source_event_id: Uuid,
    /// When the user read it.
    pub read_at: Option<DateTimeUtc>,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
