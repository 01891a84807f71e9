//! A tenant template for one event type and channel.

use sea_orm::entity::prelude::*;

/// A row of `notification_templates`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_templates")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// Channel.
    pub channel: super::Channel,
    /// Subject template.
    pub subject: String,
    /// Body template with `{{variables}}`.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
