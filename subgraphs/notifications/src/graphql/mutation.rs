//! The mutation root.

use async_graphql::{Context, ID, Object, Result};
use subgraph_kit::{
    ApiError,
    graphql::{allow, uuid},
};

use super::{me, objects::*};
use crate::domain::{delivery, endpoints, inbox, preferences, templates};

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Marks one notification read.
    async fn mark_notification_read(&self, ctx: &Context<'_>, id: ID) -> Result<Notification> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(inbox::mark_read(&a.kit.db, me(&a), uuid("id", &id)?).await?.into())
    }

    /// Marks every notification read; returns how many changed.
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> Result<i64> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(inbox::mark_all_read(&a.kit.db, me(&a)).await? as i64)
    }

    /// Turns a category on or off on a channel.
    async fn set_notification_preference(
        &self,
        ctx: &Context<'_>,
        category: String,
        channel: Channel,
        enabled: bool,
    ) -> Result<NotificationPreference> {
        let a = allow(ctx, "notification", "read").await?;
        let row = preferences::set(&a.kit.db, me(&a), &category, channel.into(), enabled).await?;
        Ok(row.into())
    }

    /// Sets quiet hours (`HH:MM`, local to `timeZone`); omit `start` to clear.
    async fn set_quiet_hours(
        &self,
        ctx: &Context<'_>,
        start: Option<String>,
        end: Option<String>,
        #[graphql(default_with = "\"UTC\".to_string()")] time_zone: String,
    ) -> Result<QuietHours> {
        let a = allow(ctx, "notification", "read").await?;
        let hours = match (start, end) {
            (Some(s), Some(e)) => Some((s, e, time_zone)),
            (None, None) => None,
            _ => return Err(ApiError::bad_input("end", "give both start and end, or neither").into()),
        };
        Ok(preferences::set_quiet_hours(&a.kit.db, me(&a), hours).await?.into())
    }

    /// Registers a webhook, SMS or push provider URL, or an email address.
    /// `tenantWide` endpoints (managers) get every notification of the
    /// tenant. The signing secret is in the answer, and only there.
    async fn register_notification_endpoint(
        &self,
        ctx: &Context<'_>,
        channel: Channel,
        target: String,
        #[graphql(default)] tenant_wide: bool,
    ) -> Result<RegisteredEndpoint> {
        let a = allow(ctx, "notification", if tenant_wide { "manage" } else { "read" }).await?;
        let owner = (!tenant_wide).then_some(a.caller.user_id);
        let config = ctx
            .data::<crate::config::NotificationsConfig>()
            .map_err(|_| ApiError::Internal("notifications settings missing".into()))?;
        let row = endpoints::register(
            &a.kit.db,
            &delivery::outbound(&a.kit.config, config),
            a.caller.tenant_id,
            owner,
            channel.into(),
            &target,
        )
        .await?;
        let secret = row.secret.clone();
        Ok(RegisteredEndpoint { endpoint: row.into(), secret })
    }

    /// Overrides the template of an event type on a channel (managers).
    async fn set_notification_template(
        &self,
        ctx: &Context<'_>,
        event_type: String,
        channel: Channel,
        subject: String,
        body: String,
    ) -> Result<bool> {
        let a = allow(ctx, "notification", "manage").await?;
        templates::set(&a.kit.db, a.caller.tenant_id, &event_type, channel.into(), subject, body).await?;
        Ok(true)
    }
}
