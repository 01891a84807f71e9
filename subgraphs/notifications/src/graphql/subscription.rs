//! The subscription root.

use async_graphql::{Context, ID, Result, Subscription};
use backbone_entities::notifications::notification;
use backbone_schema::event_types::NOTIFICATION_CREATED;
use futures::{Stream, StreamExt};
use subgraph_kit::graphql::allow;

use super::objects::*;

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Each new notification of the caller, as it arrives in the inbox.
    /// `after`: the id of the last notification a client saw; those the
    /// bus still holds since then come first (some of the last seconds
    /// may come again).
    async fn notification_received(
        &self,
        ctx: &Context<'_>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Notification>> {
        let a = allow(ctx, "notification", "read").await?;
        let after = after.map(|id| subgraph_kit::graphql::uuid("after", &id)).transpose()?;
        let (tenant, me) = (a.caller.tenant_id, a.caller.user_id);
        Ok(subgraph_kit::bus::subscribe_after(&a.kit.bus, after).filter_map(move |event| {
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
