//! Whether a user gets a category on a channel.

use sea_orm::entity::prelude::*;

/// A row of `notification_preferences`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Category.
    pub category: String,
    /// Channel.
    pub channel: super::Channel,
    /// On or off.
    pub enabled: bool,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
