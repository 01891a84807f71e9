//! One notification on one endpoint, with retry state.

use sea_orm::entity::prelude::*;

/// A row of `notification_deliveries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_deliveries")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Notification.
    pub notification_id: Uuid,
    /// Endpoint.
    pub endpoint_id: Uuid,
    /// The endpoint's channel.
    pub channel: super::Channel,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// When to try next (pending only).
    pub next_attempt_at: Option<DateTimeUtc>,
    /// Why the last attempt failed.
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it was delivered.
    pub delivered_at: Option<DateTimeUtc>,
}

/// Where a delivery is, stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The endpoint took it.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Out of attempts, or not deliverable at all.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
