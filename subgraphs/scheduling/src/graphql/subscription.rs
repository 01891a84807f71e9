//! Subscriptions, fed by the event bus and filtered per subscriber: the
//! tenant always, then what the caller may see (their own appointments
//! and schedule, or the tenant's for staff). Permissions are checked when
//! the subscription starts.

use async_graphql::{Context, ID, Result, Subscription};
use backbone_entities::scheduling::{appointment, resource};
use futures::{Stream, StreamExt};
use subgraph_kit::graphql::{allow, uuid};

use super::{objects::*, viewer};
use crate::domain::{self, Booked, events};

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Every change to one appointment (`appointmentId`), or to every
    /// appointment the caller may see.
    /// `after`: the id of the last event a client saw (its `eventId`);
    /// the events the bus still holds since then come first (some of the
    /// last seconds may come again).
    async fn appointment_updated(
        &self,
        ctx: &Context<'_>,
        appointment_id: Option<ID>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = AppointmentUpdate>> {
        let a = allow(ctx, "appointment", "read").await?;
        let after = after.map(|id| uuid("after", &id)).transpose()?;
        let v = viewer(&a);
        let only = match &appointment_id {
            Some(id) => Some(
                domain::find(&a.kit.db, a.caller.tenant_id, uuid("appointmentId", id)?, v)
                    .await?
                    .appointment
                    .id,
            ),
            None => None,
        };
        let tenant = a.caller.tenant_id;
        Ok(subgraph_kit::bus::subscribe_after(&a.kit.bus, after).filter_map(move |event| {
            let keep = (|| {
                if event.tenant_id != tenant || event.event_type != events::UPDATED {
                    return None;
                }
                let appointment: appointment::Model =
                    serde_json::from_value(event.payload.get("appointment")?.clone()).ok()?;
                let resources: Vec<resource::Model> =
                    serde_json::from_value(event.payload.get("resources")?.clone()).ok()?;
                let b = Booked { appointment, resources };
                let wanted = b.appointment.tenant_id == tenant
                    && only.is_none_or(|id| id == b.appointment.id)
                    && b.visible_to(v);
                let from = event
                    .payload
                    .get("from")
                    .and_then(|f| {
                        serde_json::from_value::<Option<appointment::AppointmentStatus>>(f.clone()).ok()
                    })
                    .flatten()
                    .map(AppointmentStatus::from);
                wanted.then(|| AppointmentUpdate { event_id: event.id.into(), from, appointment: b.into() })
            })();
            async move { keep }
        }))
    }
}
