//! Mutations: setting up resources and services, booking, and every step
//! of an appointment's lifecycle.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::{
    scheduling::{appointment::AppointmentStatus as S, closure, resource, service},
    tenancy::user,
};
use chrono::{DateTime, NaiveDate, Utc};
use subgraph_kit::{
    ApiError,
    graphql::{allow, uuid},
    tenancy::Ref,
};

use super::{
    inputs::*,
    objects::*,
    query::visible,
    series::SeriesBooking,
    settings,
    waitlist::{JoinWaitlistInput, WaitlistEntry},
};
use crate::domain::{
    booking,
    lifecycle::{self, Actor},
    resources, series,
    services::{self, NewService, Requirement},
    waitlist,
};

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Adds a bookable resource.
    async fn create_resource(&self, ctx: &Context<'_>, input: CreateResourceInput) -> Result<Resource> {
        let a = allow(ctx, "schedule", "manage").await?;
        let user_id = input.user_id.as_ref().map(|u| uuid("userId", u)).transpose()?;
        let new = resources::NewResource {
            kind: input.kind.into(),
            category: input.category,
            name: input.name,
            user_id,
            capacity: input.capacity,
            time_zone: input.time_zone,
            weekly_hours: weekly(input.weekly_hours),
        };
        Ok(resources::create(&a.kit.db, a.caller.tenant_id, new).await?.into())
    }

    /// Changes a resource's weekly hours, time zone or active flag.
    async fn update_resource(
        &self,
        ctx: &Context<'_>,
        id: ID,
        weekly_hours: Option<Vec<WeeklyHoursInput>>,
        time_zone: Option<String>,
        active: Option<bool>,
    ) -> Result<Resource> {
        let a = allow(ctx, "schedule", "manage").await?;
        let r = Ref::<resource::Entity>::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        Ok(resources::update(&a.kit.db, r, weekly_hours.map(weekly), time_zone, active).await?.into())
    }

    /// Sets a resource's hours on one local date (an empty list closes
    /// it; `null` goes back to its weekly hours).
    async fn set_date_override(
        &self,
        ctx: &Context<'_>,
        resource_id: ID,
        date: NaiveDate,
        windows: Option<Vec<HoursWindowInput>>,
    ) -> Result<bool> {
        let a = allow(ctx, "schedule", "manage").await?;
        let r =
            Ref::<resource::Entity>::parse(&a.kit.db, a.caller.tenant_id, "resourceId", &resource_id).await?;
        resources::set_date_override(&a.kit.db, &r, date, windows.map(super::inputs::windows)).await?;
        Ok(true)
    }

    /// Records time off for a resource.
    async fn add_time_off(
        &self,
        ctx: &Context<'_>,
        resource_id: ID,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: String,
    ) -> Result<ID> {
        let a = allow(ctx, "schedule", "manage").await?;
        let r =
            Ref::<resource::Entity>::parse(&a.kit.db, a.caller.tenant_id, "resourceId", &resource_id).await?;
        Ok(resources::add_time_off(&a.kit.db, &r, (starts_at, ends_at), &reason).await?.id.into())
    }

    /// Closes every resource of the tenant on a date (in each one's own
    /// time zone).
    async fn add_holiday(&self, ctx: &Context<'_>, date: NaiveDate, name: String) -> Result<ID> {
        let a = allow(ctx, "schedule", "manage").await?;
        Ok(resources::add_holiday(&a.kit.db, a.caller.tenant_id, date, &name).await?.id.into())
    }

    /// Removes time off or a holiday.
    async fn remove_closure(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let a = allow(ctx, "schedule", "manage").await?;
        let c = Ref::<closure::Entity>::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        resources::remove_closure(&a.kit.db, c).await?;
        Ok(true)
    }

    /// Opens or closes a service for booking (its appointments stay).
    async fn set_service_active(&self, ctx: &Context<'_>, id: ID, active: bool) -> Result<Service> {
        let a = allow(ctx, "schedule", "manage").await?;
        let s = Ref::<service::Entity>::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        Ok(services::set_active(&a.kit.db, s, active).await?.into())
    }

    /// Adds a service.
    async fn create_service(&self, ctx: &Context<'_>, input: CreateServiceInput) -> Result<Service> {
        let a = allow(ctx, "schedule", "manage").await?;
        let mut requirements = Vec::with_capacity(input.requirements.len());
        for r in input.requirements {
            let ids = r.resource_ids.iter().map(|id| uuid("resourceIds", id)).collect::<Result<_, _>>()?;
            requirements.push(Requirement { kind: r.kind.into(), category: r.category, resource_ids: ids });
        }
        let new = NewService {
            name: input.name,
            duration_minutes: input.duration_minutes,
            buffer_before_minutes: input.buffer_before_minutes,
            buffer_after_minutes: input.buffer_after_minutes,
            min_notice_minutes: input.min_notice_minutes,
            booking_window_days: input.booking_window_days,
            slot_step_minutes: input.slot_step_minutes,
            cancel_notice_minutes: input.cancel_notice_minutes,
            reminder_offsets: input.reminder_offsets_minutes,
            requires_approval: input.requires_approval,
            requirements,
        };
        Ok(services::create(&a.kit.db, a.caller.tenant_id, new).await?.into())
    }

    /// Books an appointment: every resource the service needs, together,
    /// or `CONFLICT` (`SLOT_TAKEN`). A retry with the same
    /// `idempotencyKey` returns the first answer.
    async fn book_appointment(&self, ctx: &Context<'_>, input: BookAppointmentInput) -> Result<Appointment> {
        book(ctx, input, false).await
    }

    /// Books a recurring series: every occurrence of `rule` from
    /// `startsAt`, each a real booking. All or nothing by default; with
    /// `BOOK_AVAILABLE` the free ones are booked and the rest reported.
    async fn book_appointment_series(
        &self,
        ctx: &Context<'_>,
        input: BookSeriesInput,
    ) -> Result<SeriesBooking> {
        let first = BookAppointmentInput {
            service_id: input.service_id,
            starts_at: input.starts_at,
            patient_id: input.patient_id,
            time_zone: input.time_zone,
            resource_ids: input.resource_ids,
            idempotency_key: input.idempotency_key,
            notes: input.notes,
        };
        let (db, first) = request(ctx, first, false).await?;
        let zone = first.time_zone.clone();
        let req = series::SeriesRequest {
            first,
            rule: input.rule,
            except: input.except_dates,
            mode: input.mode.into(),
            max_occurrences: settings(ctx)?.max_series_occurrences,
        };
        Ok(SeriesBooking::of(series::book(&db, req, Utc::now()).await?, &zone))
    }

    /// Puts a patient on the waitlist of a service for a time range: when
    /// a slot in it frees, the first in line is offered it as a hold.
    async fn join_waitlist(&self, ctx: &Context<'_>, input: JoinWaitlistInput) -> Result<WaitlistEntry> {
        let a = allow(ctx, "appointment", "book").await?;
        let tenant = a.caller.tenant_id;
        let patient_id = match &input.patient_id {
            Some(p) => Ref::<user::Entity>::parse(&a.kit.db, tenant, "patientId", p).await?.id(),
            None => a.caller.user_id,
        };
        if patient_id != a.caller.user_id && a.scope < subgraph_kit::rbac::Scope::Team {
            return Err(ApiError::Forbidden("only staff add others to a waitlist".into()).into());
        }
        let service =
            Ref::<service::Entity>::parse(&a.kit.db, tenant, "serviceId", &input.service_id).await?;
        let join = waitlist::Join {
            service,
            patient_id,
            added_by: a.caller.user_id,
            from: input.from,
            until: input.to,
            time_zone: input.time_zone,
        };
        Ok(waitlist::join(&a.kit.db, join, Utc::now()).await?.into())
    }

    /// Takes a waiting entry off the waitlist.
    async fn leave_waitlist(&self, ctx: &Context<'_>, id: ID) -> Result<WaitlistEntry> {
        let a = allow(ctx, "appointment", "book").await?;
        let entry =
            waitlist::find(&a.kit.db, a.caller.tenant_id, uuid("id", &id)?, super::viewer(&a)).await?;
        Ok(waitlist::leave(&a.kit.db, entry, a.caller.user_id, Utc::now()).await?.into())
    }

    /// Holds the resources of a slot for `scheduling.hold_ttl_seconds`
    /// while the patient confirms (`confirmAppointment`).
    async fn hold_appointment(&self, ctx: &Context<'_>, input: BookAppointmentInput) -> Result<Appointment> {
        book(ctx, input, true).await
    }

    /// Confirms a hold (by who holds it) or a request (by the clinic).
    async fn confirm_appointment(&self, ctx: &Context<'_>, id: ID) -> Result<Appointment> {
        let a = allow(ctx, "appointment", "book").await?;
        let b = visible(&a, "book", &id).await?;
        let to = match b.appointment.status {
            S::Held => {
                let s = Ref::<service::Entity>::find(&a.kit.db, a.caller.tenant_id, b.appointment.service_id)
                    .await?;
                if s.row().requires_approval && b.appointment.booked_by == b.appointment.patient_id {
                    S::Requested
                } else {
                    S::Scheduled
                }
            }
            S::Requested => {
                visible(&allow(ctx, "appointment", "manage").await?, "manage", &id).await?;
                S::Scheduled
            }
            other => {
                return Err(ApiError::conflict(
                    "INVALID_TRANSITION",
                    format!("nothing to confirm: it is {}", other.as_str()),
                )
                .into());
            }
        };
        let actor = Actor { user_id: a.caller.user_id, staff: false, reason: None };
        Ok(lifecycle::transition(&a.kit.db, b, to, actor, settings(ctx)?.offer_ttl(), Utc::now())
            .await?
            .into())
    }

    /// Cancels an appointment (or releases a hold). Inside the service's
    /// notice window only staff may, with a reason.
    async fn cancel_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<Appointment> {
        let a = allow(ctx, "appointment", "book").await?;
        let b = visible(&a, "book", &id).await?;
        let actor =
            Actor { user_id: a.caller.user_id, staff: is_staff(ctx).await, reason: reason.as_deref() };
        Ok(lifecycle::transition(&a.kit.db, b, S::Cancelled, actor, settings(ctx)?.offer_ttl(), Utc::now())
            .await?
            .into())
    }

    /// Moves an appointment to another start, keeping its resources when
    /// they are free then; its history keeps the old time.
    async fn reschedule_appointment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        starts_at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<Appointment> {
        let a = allow(ctx, "appointment", "book").await?;
        let b = visible(&a, "book", &id).await?;
        let actor =
            Actor { user_id: a.caller.user_id, staff: is_staff(ctx).await, reason: reason.as_deref() };
        Ok(lifecycle::reschedule(&a.kit.db, b, starts_at, actor, settings(ctx)?.offer_ttl(), Utc::now())
            .await?
            .into())
    }

    /// Records a lifecycle step: check-in, start, completion or no-show.
    async fn record_appointment_step(
        &self,
        ctx: &Context<'_>,
        id: ID,
        step: AppointmentStep,
    ) -> Result<Appointment> {
        let a = allow(ctx, "appointment", "manage").await?;
        let b = visible(&a, "manage", &id).await?;
        if !super::viewer(&a).whole_tenant && !b.resource_users().contains(&a.caller.user_id) {
            return Err(ApiError::Forbidden("only the clinic or the appointment's clinician".into()).into());
        }
        let to = match step {
            AppointmentStep::CheckIn => S::CheckedIn,
            AppointmentStep::Start => S::InProgress,
            AppointmentStep::Complete => S::Completed,
            AppointmentStep::NoShow => S::NoShow,
        };
        let actor = Actor { user_id: a.caller.user_id, staff: true, reason: None };
        Ok(lifecycle::transition(&a.kit.db, b, to, actor, settings(ctx)?.offer_ttl(), Utc::now())
            .await?
            .into())
    }
}

/// Whether the caller manages the tenant's appointments.
async fn is_staff(ctx: &Context<'_>) -> bool {
    allow(ctx, "appointment", "manage").await.is_ok_and(|m| m.scope >= subgraph_kit::rbac::Scope::Team)
}

async fn book(ctx: &Context<'_>, input: BookAppointmentInput, hold: bool) -> Result<Appointment> {
    let (db, req) = request(ctx, input, hold).await?;
    Ok(booking::book(&db, req, Utc::now()).await?.into())
}

/// The booking request of `input`, every id resolved in the caller's
/// tenant and who it is for checked.
async fn request(
    ctx: &Context<'_>,
    input: BookAppointmentInput,
    hold: bool,
) -> Result<(sea_orm::DatabaseConnection, booking::Request)> {
    let a = allow(ctx, "appointment", "book").await?;
    let staff = a.scope >= subgraph_kit::rbac::Scope::Team;
    let tenant = a.caller.tenant_id;
    let patient_id = match &input.patient_id {
        Some(p) => Ref::<user::Entity>::parse(&a.kit.db, tenant, "patientId", p).await?.id(),
        None => a.caller.user_id,
    };
    if patient_id != a.caller.user_id && !staff {
        return Err(ApiError::Forbidden("only staff book for others".into()).into());
    }
    let service = Ref::<service::Entity>::parse(&a.kit.db, tenant, "serviceId", &input.service_id).await?;
    let mut resource_ids = Vec::with_capacity(input.resource_ids.len());
    for id in &input.resource_ids {
        resource_ids.push(Ref::<resource::Entity>::parse(&a.kit.db, tenant, "resourceIds", id).await?.id());
    }
    let needs_approval = service.row().requires_approval && !staff;
    let ttl = chrono::Duration::seconds(settings(ctx)?.hold_ttl_seconds.min(86_400) as i64);
    let req = booking::Request {
        service,
        patient_id,
        booked_by: a.caller.user_id,
        starts_at: input.starts_at,
        time_zone: input.time_zone,
        resource_ids,
        idempotency_key: input.idempotency_key,
        hold: hold.then_some(ttl),
        needs_approval,
        notes: input.notes,
    };
    Ok((a.kit.db.clone(), req))
}
