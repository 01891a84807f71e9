//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject, connection::Connection};
use backbone_entities::scheduling::{
    appointment::AppointmentStatus as StoredStatus, history, resource, resource::ResourceKind as StoredKind,
    service,
};
use chrono::{DateTime, Utc};
use subgraph_kit::{graphql::allow, pagination::Page};

use crate::domain::{
    Booked, booking::FreeSlot as Found, hours::DayHours, lists, metrics::Figure,
    services::Requirement as StoredRequirement,
};

/// A person, owned by the tenants subgraph; scheduling adds their
/// appointments.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    /// The user's id; the tenants subgraph resolves the rest.
    pub id: ID,
}

#[ComplexObject]
impl User {
    /// Their appointments (as patient or as a resource), by start time:
    /// for themselves, or for staff who may read the tenant's.
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Appointment>> {
        let a = allow(ctx, "appointment", "read").await?;
        let page = Page::new(first, after)?;
        let user = subgraph_kit::graphql::uuid("id", &self.id)?;
        let mut viewer = super::viewer(&a);
        if !viewer.whole_tenant && user != a.caller.user_id {
            return Err(subgraph_kit::ApiError::Forbidden("only your own appointments".into()).into());
        }
        // Whoever looks, the list is this user's: as staff see it, or as
        // the user sees their own.
        viewer.user_id = user;
        viewer.whole_tenant = false;
        let filter = lists::Filter { from, to, ..Default::default() };
        let rows = lists::appointments(&a.kit.db, a.caller.tenant_id, viewer, &filter, &page).await?;
        Ok(rows.connection_at(Appointment::from))
    }
}

fn user(id: Option<uuid::Uuid>) -> Option<User> {
    id.map(|u| User { id: u.into() })
}

subgraph_kit::mirror_enum!(
    /// What a resource is.
    ResourceKind = StoredKind {
        /// A person (clinician, teacher), a user of the tenant.
        Person,
        /// A room.
        Room,
        /// A device or other equipment.
        Equipment,
    }
);

subgraph_kit::mirror_enum!(
    /// Where an appointment is in its lifecycle.
    AppointmentStatus = StoredStatus {
        /// Resources held while the patient confirms.
        Held,
        /// The hold lapsed unconfirmed.
        Expired,
        /// Asked for by the patient; waits for the clinic to confirm.
        Requested,
        /// Booked.
        Scheduled,
        /// The patient has arrived.
        CheckedIn,
        /// Under way.
        InProgress,
        /// Done.
        Completed,
        /// Called off.
        Cancelled,
        /// The patient did not come.
        NoShow,
    }
);

/// Working hours on one weekday, in the resource's time zone.
#[derive(SimpleObject, Clone)]
pub struct WeeklyHours {
    /// 1 = Monday … 7 = Sunday.
    pub day: i32,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// A bookable resource.
#[derive(SimpleObject)]
pub struct Resource {
    /// Id.
    pub id: ID,
    /// Person, room or equipment.
    pub kind: ResourceKind,
    /// What sort (`clinician`, `exam_room`, `ecg`).
    pub category: String,
    /// Name.
    pub name: String,
    /// The user a person resource is.
    pub user: Option<User>,
    /// Appointments it takes at once.
    pub capacity: i32,
    /// IANA time zone of its hours.
    pub time_zone: String,
    /// Weekly working hours.
    pub weekly_hours: Vec<WeeklyHours>,
    /// Offered and bookable.
    pub active: bool,
}

impl From<resource::Model> for Resource {
    fn from(r: resource::Model) -> Self {
        let weekly_hours = serde_json::from_str::<Vec<DayHours>>(&r.weekly_hours)
            .unwrap_or_default()
            .into_iter()
            .map(|d| WeeklyHours { day: i32::from(d.day), start: d.start, end: d.end })
            .collect();
        Self {
            id: r.id.into(),
            kind: r.kind.into(),
            category: r.category,
            name: r.name,
            user: user(r.user_id),
            capacity: r.capacity,
            time_zone: r.time_zone,
            weekly_hours,
            active: r.active,
        }
    }
}

/// One resource a service needs.
#[derive(SimpleObject)]
pub struct Requirement {
    /// Of this kind.
    pub kind: ResourceKind,
    /// Of this category, when set.
    pub category: Option<String>,
    /// One of these, when set.
    pub resource_ids: Vec<ID>,
}

/// A service (appointment type).
#[derive(SimpleObject)]
pub struct Service {
    /// Id.
    pub id: ID,
    /// Name.
    pub name: String,
    /// Length.
    pub duration_minutes: i32,
    /// Kept free before, on every resource.
    pub buffer_before_minutes: i32,
    /// Kept free after, on every resource.
    pub buffer_after_minutes: i32,
    /// Least notice for a booking.
    pub min_notice_minutes: i32,
    /// How many days ahead it can be booked.
    pub booking_window_days: i32,
    /// Spacing of offered start times.
    pub slot_step_minutes: i32,
    /// Patients cannot cancel or move it within this many minutes of the start.
    pub cancel_notice_minutes: i32,
    /// Reminders, minutes before the start.
    pub reminder_offsets_minutes: Vec<i32>,
    /// A patient's booking waits for the clinic.
    pub requires_approval: bool,
    /// Bookable.
    pub active: bool,
    /// What it needs; all reserved together or none.
    pub requirements: Vec<Requirement>,
}

impl From<service::Model> for Service {
    fn from(s: service::Model) -> Self {
        let requirements = serde_json::from_str::<Vec<StoredRequirement>>(&s.requirements)
            .unwrap_or_default()
            .into_iter()
            .map(|r| Requirement {
                kind: r.kind.into(),
                category: r.category,
                resource_ids: r.resource_ids.into_iter().map(ID::from).collect(),
            })
            .collect();
        Self {
            id: s.id.into(),
            name: s.name,
            duration_minutes: s.duration_minutes,
            buffer_before_minutes: s.buffer_before_minutes,
            buffer_after_minutes: s.buffer_after_minutes,
            min_notice_minutes: s.min_notice_minutes,
            booking_window_days: s.booking_window_days,
            slot_step_minutes: s.slot_step_minutes,
            cancel_notice_minutes: s.cancel_notice_minutes,
            reminder_offsets_minutes: serde_json::from_str(&s.reminder_offsets).unwrap_or_default(),
            requires_approval: s.requires_approval,
            active: s.active,
            requirements,
        }
    }
}

/// An instant written in a time zone: `2026-03-08T09:00:00-04:00[America/New_York]`.
pub fn local(at: DateTime<Utc>, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(at.timestamp()).map(|t| t.to_zoned(tz).to_string()).unwrap_or_default()
}

/// A bookable start.
#[derive(SimpleObject)]
pub struct FreeSlot {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// The start in the caller's time zone.
    pub local_start: String,
    /// The resources it would get, one per requirement.
    pub resources: Vec<Resource>,
}

impl FreeSlot {
    /// A found slot shown in `zone`.
    pub fn new(s: Found, zone: &str) -> Self {
        Self {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            local_start: local(s.starts_at, zone),
            resources: s.resources.into_iter().map(Resource::from).collect(),
        }
    }
}

/// An appointment.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Appointment {
    /// Id.
    pub id: ID,
    /// Lifecycle status.
    pub status: AppointmentStatus,
    /// The service's id.
    pub service_id: ID,
    /// Who it is for.
    pub patient: User,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// The start in the appointment's time zone.
    pub local_start: String,
    /// The patient's time zone.
    pub time_zone: String,
    /// While held: when the hold lapses.
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// Every resource it reserves.
    pub resources: Vec<Resource>,
    /// The first person among its resources.
    pub clinician: Option<User>,
    /// Note from the booker.
    pub notes: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The recurring series it belongs to.
    pub series_id: Option<ID>,
}

impl From<Booked> for Appointment {
    fn from(b: Booked) -> Self {
        let a = b.appointment;
        let clinician = user(b.resources.iter().find_map(|r| r.user_id));
        Self {
            id: a.id.into(),
            status: a.status.into(),
            service_id: a.service_id.into(),
            patient: User { id: a.patient_id.into() },
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            local_start: local(a.starts_at, &a.time_zone),
            time_zone: a.time_zone,
            hold_expires_at: a.hold_expires_at,
            resources: b.resources.into_iter().map(Resource::from).collect(),
            clinician,
            notes: a.notes,
            cancel_reason: a.cancel_reason,
            created_at: a.created_at,
            updated_at: a.updated_at,
            series_id: a.series_id.map(ID::from),
        }
    }
}

#[ComplexObject]
impl Appointment {
    /// Every change, oldest first: status changes and reschedules.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<AppointmentChange>> {
        let a = allow(ctx, "appointment", "read").await?;
        let id = subgraph_kit::graphql::uuid("id", &self.id)?;
        let b = crate::domain::find(&a.kit.db, a.caller.tenant_id, id, super::viewer(&a)).await?;
        Ok(lists::history(&a.kit.db, &b).await?.into_iter().map(AppointmentChange::from).collect())
    }
}

/// One change in an appointment's history.
#[derive(SimpleObject)]
pub struct AppointmentChange {
    /// Status before (none when created).
    #[graphql(name = "from")]
    pub from_status: Option<AppointmentStatus>,
    /// Status after.
    pub to: AppointmentStatus,
    /// Start after the change.
    pub starts_at: DateTime<Utc>,
    /// End after the change.
    pub ends_at: DateTime<Utc>,
    /// Who (none for the system).
    pub actor: Option<User>,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<history::Model> for AppointmentChange {
    fn from(h: history::Model) -> Self {
        Self {
            from_status: h.from_status.map(Into::into),
            to: h.to_status.into(),
            starts_at: h.starts_at,
            ends_at: h.ends_at,
            actor: user(h.actor_id),
            reason: h.reason,
            at: h.at,
        }
    }
}

/// A change pushed to subscribers.
#[derive(SimpleObject)]
pub struct AppointmentUpdate {
    /// The event's id.
    pub event_id: ID,
    /// Status before (none when created).
    pub from: Option<AppointmentStatus>,
    /// The appointment after the change.
    pub appointment: Appointment,
}

/// Live figures of a tenant; scheduling adds today's appointments.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TenantMetrics {
    /// The tenant these figures are about (the federation key).
    pub tenant_id: ID,
}

#[ComplexObject]
impl TenantMetrics {
    /// Appointments on today's calendar (scheduled, under way, done or
    /// missed), today being the local date in `timeZone`.
    async fn appointments_today(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = "UTC")] time_zone: String,
    ) -> Result<i64> {
        self.today(ctx, Figure::Appointments, &time_zone).await
    }

    /// Of today's appointments, the no-shows.
    async fn no_shows_today(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = "UTC")] time_zone: String,
    ) -> Result<i64> {
        self.today(ctx, Figure::NoShows, &time_zone).await
    }
}

impl TenantMetrics {
    async fn today(&self, ctx: &Context<'_>, figure: Figure, zone: &str) -> Result<i64> {
        let a = allow(ctx, "metrics", "read").await?;
        let n =
            crate::domain::metrics::today(&a.kit.db, a.caller.tenant_id, figure, zone, Utc::now()).await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
