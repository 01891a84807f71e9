//! Subscriptions, fed by the event bus and filtered per subscriber: the
//! tenant always, then what the caller may see (a reporter only their own
//! complaints; a queue only what is assigned to the caller). Permissions
//! are checked when the subscription starts.

use std::time::Duration;

use async_graphql::{Context, ID, Result, Subscription};
use backbone_entities::complaints::complaint;
use backbone_schema::event_types::COMPLAINT_STATUS_CHANGED;
use futures::{Stream, StreamExt};
use subgraph_kit::{
    ApiError,
    graphql::{allow, uuid},
    rbac::Scope,
};

use super::{objects::*, visible};
use crate::domain::{self, metrics};

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Status changes of one complaint (`complaintId`), of the caller's
    /// queue (`queue: true`, staff), or of every complaint the caller may
    /// see.
    /// `after`: the id of the last event a client saw (its `eventId`);
    /// the events the bus still holds since then come first (some of the
    /// last seconds may come again).
    async fn complaint_status_changed(
        &self,
        ctx: &Context<'_>,
        complaint_id: Option<ID>,
        #[graphql(default)] queue: bool,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = ComplaintStatusChange>> {
        let a = allow(ctx, "complaint", "read").await?;
        let after = after.map(|id| uuid("after", &id)).transpose()?;
        let only = match &complaint_id {
            Some(id) => Some(
                visible(&a, domain::find(&a.kit.db, a.caller.tenant_id, uuid("complaintId", id)?).await?)?.id,
            ),
            None => None,
        };
        if queue && a.scope < Scope::Team {
            return Err(ApiError::Forbidden("only staff have a queue".into()).into());
        }
        let (tenant, me, staff) = (a.caller.tenant_id, a.caller.user_id, a.scope >= Scope::Team);
        Ok(subgraph_kit::bus::subscribe_after(&a.kit.bus, after).filter_map(move |event| {
            let keep = (|| {
                if event.tenant_id != tenant || event.event_type != COMPLAINT_STATUS_CHANGED {
                    return None;
                }
                let c: complaint::Model =
                    serde_json::from_value(event.payload.get("complaint")?.clone()).ok()?;
                let wanted = c.tenant_id == tenant
                    && only.is_none_or(|id| id == c.id)
                    && (!queue || c.assignee_id == Some(me))
                    && (staff || c.reporter_id == Some(me));
                let from = event
                    .payload
                    .get("from")
                    .and_then(|f| serde_json::from_value::<complaint::ComplaintStatus>(f.clone()).ok())
                    .map(ComplaintStatus::from);
                wanted.then(|| ComplaintStatusChange {
                    event_id: event.id.into(),
                    from,
                    to: c.status.into(),
                    changed_at: event.occurred_at,
                    complaint: c.into(),
                })
            })();
            async move { keep }
        }))
    }

    /// Live tenant figures every `intervalSeconds` (1–3600), each tick a
    /// full snapshot. Other subgraphs add fields to `TenantMetrics`
    /// (through the router).
    async fn live_metrics(
        &self,
        ctx: &Context<'_>,
        interval_seconds: i32,
    ) -> Result<impl Stream<Item = Result<TenantMetrics>>> {
        let a = allow(ctx, "metrics", "read").await?;
        if !(1..=3600).contains(&interval_seconds) {
            return Err(ApiError::bad_input("intervalSeconds", "intervalSeconds must be 1–3600").into());
        }
        let (db, tenant) = (a.kit.db.clone(), a.caller.tenant_id);
        let every = Duration::from_secs(interval_seconds as u64);
        let ticks = futures::stream::unfold(true, move |first| async move {
            if !first {
                tokio::time::sleep(every).await;
            }
            Some(((), false))
        });
        Ok(ticks.then(move |()| {
            let db = db.clone();
            async move {
                let f = metrics::figures(&db, tenant).await?;
                Ok(TenantMetrics::taken(tenant.into(), f))
            }
        }))
    }
}
