//! A user quiet hours.

use sea_orm::entity::prelude::*;

/// A row of `notification_settings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    /// User.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Quiet hours start, `HH:MM` local.
    pub quiet_start: Option<String>,
    /// Quiet hours end, `HH:MM` local.
    pub quiet_end: Option<String>,
    /// IANA time zone.
    pub time_zone: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
