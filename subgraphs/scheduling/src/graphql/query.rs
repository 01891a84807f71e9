//! Queries and federation entity resolvers.

use async_graphql::{
    Context, ID, Object, Result,
    connection::{Connection, Edge},
};
use backbone_entities::scheduling::{resource, service};
use chrono::{DateTime, Utc};
use subgraph_kit::{
    ApiError,
    graphql::{Allowed, allow, uuid},
    pagination::Page,
    tenancy::Ref,
};

use super::{objects::*, settings, viewer, waitlist::WaitlistEntry};
use crate::domain::{self, booking, hours, lists, resources};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The tenant's bookable resources, by name.
    async fn resources(
        &self,
        ctx: &Context<'_>,
        kind: Option<ResourceKind>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Resource>> {
        let a = allow(ctx, "schedule", "read").await?;
        let page = Page::new(first, after)?;
        let rows = resources::list(&a.kit.db, a.caller.tenant_id, kind.map(Into::into), &page).await?;
        Ok(rows.connection_at(Resource::from))
    }

    /// One service.
    async fn service(&self, ctx: &Context<'_>, id: ID) -> Result<Service> {
        let a = allow(ctx, "schedule", "read").await?;
        let s = Ref::<service::Entity>::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        Ok(s.row().clone().into())
    }

    /// Bookable start times of a service from `from` to `to` (at most
    /// `scheduling.max_search_days` apart), where every resource it needs
    /// is free, shown in `timeZone`; the cursor is a slot's start.
    #[allow(clippy::too_many_arguments)]
    async fn free_slots(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        time_zone: String,
        #[graphql(default)] preferred_resource_ids: Vec<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, FreeSlot>> {
        let a = allow(ctx, "appointment", "book").await?;
        hours::zone("timeZone", &time_zone)?;
        let page = Page::new(first, after)?;
        let after = page.cursor(|c| DateTime::parse_from_rfc3339(c).ok().map(|t| t.with_timezone(&Utc)))?;
        let service =
            Ref::<service::Entity>::parse(&a.kit.db, a.caller.tenant_id, "serviceId", &service_id).await?;
        let mut preferred = Vec::with_capacity(preferred_resource_ids.len());
        for id in &preferred_resource_ids {
            preferred.push(
                Ref::<resource::Entity>::parse(&a.kit.db, a.caller.tenant_id, "preferredResourceIds", id)
                    .await?
                    .id(),
            );
        }
        let search = booking::Search {
            from,
            to,
            preferred: &preferred,
            after,
            limit: page.limit() as usize,
            max_days: settings(ctx)?.max_search_days,
        };
        let found = booking::search(&a.kit.db, service.row(), search, Utc::now()).await?;
        let more = found.len() as u64 > page.first;
        let mut connection = Connection::new(page.after.is_some(), more);
        connection.edges.extend(
            found
                .into_iter()
                .take(page.first as usize)
                .map(|s| Edge::new(s.starts_at.to_rfc3339(), FreeSlot::new(s, &time_zone))),
        );
        Ok(connection)
    }

    /// One appointment the caller may see.
    async fn appointment(&self, ctx: &Context<'_>, id: ID) -> Result<Appointment> {
        let a = allow(ctx, "appointment", "read").await?;
        let b = domain::find(&a.kit.db, a.caller.tenant_id, uuid("id", &id)?, viewer(&a)).await?;
        Ok(b.into())
    }

    /// Appointments the caller may see (staff: the tenant's; others their
    /// own and their schedule), by start time.
    #[allow(clippy::too_many_arguments)]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        status: Option<AppointmentStatus>,
        patient_id: Option<ID>,
        resource_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Appointment>> {
        let a = allow(ctx, "appointment", "read").await?;
        let page = Page::new(first, after)?;
        let filter = lists::Filter {
            patient: patient_id.as_ref().map(|p| uuid("patientId", p)).transpose()?,
            resource: resource_id.as_ref().map(|r| uuid("resourceId", r)).transpose()?,
            from,
            to,
            status: status.map(Into::into),
        };
        let rows = lists::appointments(&a.kit.db, a.caller.tenant_id, viewer(&a), &filter, &page).await?;
        Ok(rows.connection_at(Appointment::from))
    }

    /// Federation: a user, to which scheduling adds `appointments`.
    /// Waitlist entries, first in line first: the tenant's for staff,
    /// one's own for others.
    async fn waitlist(
        &self,
        ctx: &Context<'_>,
        service_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, WaitlistEntry>> {
        let a = allow(ctx, "appointment", "read").await?;
        let page = Page::new(first, after)?;
        let service = match &service_id {
            Some(s) => {
                Some(Ref::<service::Entity>::parse(&a.kit.db, a.caller.tenant_id, "serviceId", s).await?.id())
            }
            None => None,
        };
        let rows = domain::waitlist::list(&a.kit.db, a.caller.tenant_id, viewer(&a), service, &page).await?;
        Ok(rows.connection_at(WaitlistEntry::from))
    }

    /// An appointment as another subgraph names it (documents adds its
    /// files); the same check as `appointment`.
    #[graphql(entity)]
    async fn find_appointment_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Appointment> {
        self.appointment(ctx, id).await
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }

    #[graphql(entity)]
    async fn find_tenant_metrics_by_tenant_id(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> Result<TenantMetrics> {
        subgraph_kit::graphql::allow_metrics(ctx, &tenant_id).await?;
        Ok(TenantMetrics { tenant_id })
    }
}

/// The caller's appointment `id`, or NOT_FOUND.
/// `a` is the caller allowed `appointment:<action>`; with `book`, only the
/// patient, who booked it or staff may change it.
pub(crate) async fn visible(a: &Allowed<'_>, action: &str, id: &ID) -> Result<domain::Booked> {
    let b = domain::find(&a.kit.db, a.caller.tenant_id, uuid("id", id)?, viewer(a)).await?;
    let staff = viewer(a).whole_tenant;
    if !staff
        && action == "book"
        && b.appointment.patient_id != a.caller.user_id
        && b.appointment.booked_by != a.caller.user_id
    {
        return Err(ApiError::Forbidden("only the patient or who booked it may change it".into()).into());
    }
    Ok(b)
}
