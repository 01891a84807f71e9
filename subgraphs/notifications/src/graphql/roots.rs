//! Query, mutation and subscription roots.

use async_graphql::{Context, ID, Object, Result, Subscription, connection::Connection};
use backbone_entities::notifications::{notification, template};
use backbone_schema::event_types::NOTIFICATION_CREATED;
use futures::{Stream, StreamExt};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use subgraph_kit::{
    ApiError,
    graphql::{allow, uuid},
    pagination::Page,
};

use super::objects::*;
use crate::domain::{delivery, endpoints, inbox, preferences, templates};

/// The caller as the person whose inbox is read.
fn me(a: &subgraph_kit::graphql::Allowed<'_>) -> subgraph_kit::contract::Subject {
    subgraph_kit::contract::Subject { tenant_id: a.caller.tenant_id, user_id: a.caller.user_id }
}

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
    async fn notification_preferences(&self, ctx: &Context<'_>) -> Result<Vec<NotificationPreference>> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(preferences::list(&a.kit.db, me(&a)).await?.into_iter().map(Into::into).collect())
    }

    /// The caller's quiet hours, if set.
    async fn quiet_hours(&self, ctx: &Context<'_>) -> Result<Option<QuietHours>> {
        let a = allow(ctx, "notification", "read").await?;
        Ok(preferences::quiet_hours(&a.kit.db, me(&a)).await?.map(Into::into))
    }

    /// Endpoints: the caller's, plus tenant-wide ones for managers.
    async fn notification_endpoints(&self, ctx: &Context<'_>) -> Result<Vec<NotificationEndpoint>> {
        let a = allow(ctx, "notification", "read").await?;
        let all = a.kit.rbac.require(a.caller, "notification", "manage").await.is_ok();
        let rows = endpoints::list(&a.kit.db, a.caller.tenant_id, a.caller.user_id, all).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Delivery status of one of the caller's notifications.
    async fn notification_deliveries(&self, ctx: &Context<'_>, notification_id: ID) -> Result<Vec<Delivery>> {
        let a = allow(ctx, "notification", "read").await?;
        let id = uuid("notificationId", &notification_id)?;
        let mine = notification::Entity::find_by_id(id)
            .one(&a.kit.db)
            .await?
            .is_some_and(|n| n.user_id == a.caller.user_id && n.tenant_id == a.caller.tenant_id);
        if !mine {
            return Err(ApiError::NotFound("no such notification".into()).into());
        }
        Ok(delivery::of_notification(&a.kit.db, id).await?.into_iter().map(Into::into).collect())
    }

    /// Federation: the inbox figures of a tenant (the caller's only).
    #[graphql(entity)]
    async fn find_tenant_metrics_by_tenant_id(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> Result<TenantMetrics> {
        let a = allow(ctx, "metrics", "read").await?;
        if uuid("tenantId", &tenant_id)? != a.caller.tenant_id {
            return Err(ApiError::Forbidden("metrics of another tenant".into()).into());
        }
        let unread = inbox::tenant_unread(&a.kit.db, a.caller.tenant_id).await? as i64;
        Ok(TenantMetrics { tenant_id, unread_notifications: unread })
    }
}

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
        if !templates::known(&event_type) {
            return Err(
                ApiError::bad_input("eventType", "no notifications are sent for that event type").into()
            );
        }
        let existing = template::Entity::find()
            .filter(template::Column::TenantId.eq(a.caller.tenant_id))
            .filter(template::Column::EventType.eq(event_type.as_str()))
            .filter(template::Column::Channel.eq(crate::domain::Channel::from(channel)))
            .one(&a.kit.db)
            .await?;
        match existing {
            Some(t) => {
                let mut am: template::ActiveModel = t.into();
                am.subject = Set(subject);
                am.body = Set(body);
                am.update(&a.kit.db).await?;
            }
            None => {
                template::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    tenant_id: Set(a.caller.tenant_id),
                    event_type: Set(event_type),
                    channel: Set(channel.into()),
                    subject: Set(subject),
                    body: Set(body),
                }
                .insert(&a.kit.db)
                .await?;
            }
        }
        Ok(true)
    }
}

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Each new notification of the caller, as it arrives in the inbox.
    async fn notification_received(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Notification>> {
        let a = allow(ctx, "notification", "read").await?;
        let (tenant, me) = (a.caller.tenant_id, a.caller.user_id);
        Ok(a.kit.bus.subscribe().filter_map(move |event| {
            let keep = (event.tenant_id == tenant && event.event_type == NOTIFICATION_CREATED)
                .then(|| {
                    serde_json::from_value::<notification::Model>(event.payload.get("notification")?.clone())
                        .ok()
                })
                .flatten()
                .filter(|n| n.user_id == me && n.tenant_id == tenant)
                .map(Notification::from);
            async move { keep }
        }))
    }
}
