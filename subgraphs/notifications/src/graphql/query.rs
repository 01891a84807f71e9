//! The query root.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use subgraph_kit::{
    graphql::{allow, uuid},
    pagination::Page,
};

use super::{me, objects::*};
use crate::domain::{delivery, endpoints, inbox, preferences};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The caller's notifications, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Notification>> {
        let a = allow(ctx, "notification", "read").await?;
        let page = Page::new(first, after)?;
        let rows = inbox::list(&a.kit.db, me(&a), unread_only, &page).await?;
        Ok(rows.connection(|n| (n.id.to_string(), Notification::from(n))))
    }

    /// How many unread notifications the caller has.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(inbox::unread(&a.kit.db, me(&a)).await? as i64)
    }

    /// The caller's preferences (unset ones are on).
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, NotificationPreference>> {
        let a = allow(ctx, "notification", "read").await?;
        let page = Page::new(first, after)?;
        Ok(preferences::list(&a.kit.db, me(&a), &page).await?.connection_at(NotificationPreference::from))
    }

    /// The caller's quiet hours, if set.
    async fn quiet_hours(&self, ctx: &Context<'_>) -> Result<Option<QuietHours>> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(preferences::quiet_hours(&a.kit.db, me(&a)).await?.map(Into::into))
    }

    /// Endpoints: the caller's, plus tenant-wide ones for managers.
    async fn notification_endpoints(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, NotificationEndpoint>> {
        let a = allow(ctx, "notification", "read").await?;
        let all = a.kit.rbac.require(a.caller, "notification", "manage").await.is_ok();
        let page = Page::new(first, after)?;
        let rows = endpoints::list(&a.kit.db, a.caller.tenant_id, a.caller.user_id, all, &page).await?;
        Ok(rows.connection(|e| (e.id.to_string(), NotificationEndpoint::from(e))))
    }

    /// Delivery status of one of the caller's notifications.
    async fn notification_deliveries(
        &self,
        ctx: &Context<'_>,
        notification_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Delivery>> {
        let a = allow(ctx, "notification", "read").await?;
        let id = uuid("notificationId", &notification_id)?;
        let page = Page::new(first, after)?;
        let rows = delivery::of_notification(&a.kit.db, me(&a), id, &page).await?;
        Ok(rows.connection(|d| (d.id.to_string(), Delivery::from(d))))
    }

    /// Federation: the inbox figures of a tenant (the caller's only).
    #[graphql(entity)]
    async fn find_tenant_metrics_by_tenant_id(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> Result<TenantMetrics> {
        let a = subgraph_kit::graphql::allow_metrics(ctx, &tenant_id).await?;
        let unread = inbox::tenant_unread(&a.kit.db, a.caller.tenant_id).await? as i64;
        Ok(TenantMetrics { tenant_id, unread_notifications: unread })
    }
}
