//! A webhook, SMS or push provider endpoint, or an email address.

use sea_orm::entity::prelude::*;

/// A row of `notification_endpoints`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_endpoints")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Owner; `None` = tenant-wide (all notifications of the tenant).
    pub user_id: Option<Uuid>,
    /// webhook, email, sms or push.
    pub channel: super::Channel,
    /// URL (webhook, sms, push) or address (email).
    pub target: String,
    /// HMAC-SHA256 signing secret.
    pub secret: String,
    /// Inactive endpoints get nothing.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
