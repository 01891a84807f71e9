//! Input types.

use async_graphql::{ID, InputObject};
use backbone_entities::scheduling::series::SeriesMode as StoredSeriesMode;
use chrono::{DateTime, NaiveDate, Utc};

use super::objects::ResourceKind;
use crate::domain::hours::{DayHours, LocalWindow};

/// Working hours on one weekday.
#[derive(InputObject)]
pub struct WeeklyHoursInput {
    /// 1 = Monday … 7 = Sunday.
    pub day: i32,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM` (`24:00` for the end of the day).
    pub end: String,
}

/// Weekly hours as the domain reads them.
pub fn weekly(hours: Vec<WeeklyHoursInput>) -> Vec<DayHours> {
    hours
        .into_iter()
        .map(|h| DayHours { day: i8::try_from(h.day).unwrap_or(0), start: h.start, end: h.end })
        .collect()
}

/// Hours on one date.
#[derive(InputObject)]
pub struct HoursWindowInput {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// Date windows as the domain reads them.
pub fn windows(ws: Vec<HoursWindowInput>) -> Vec<LocalWindow> {
    ws.into_iter().map(|w| LocalWindow { start: w.start, end: w.end }).collect()
}

/// A new resource.
#[derive(InputObject)]
pub struct CreateResourceInput {
    /// Person, room or equipment.
    pub kind: ResourceKind,
    /// What sort (`clinician`, `exam_room`, `ecg`).
    pub category: String,
    /// Name.
    pub name: String,
    /// The user a person is (people only).
    pub user_id: Option<ID>,
    /// Appointments at once.
    #[graphql(default = 1)]
    pub capacity: i32,
    /// IANA time zone of its hours.
    pub time_zone: String,
    /// Weekly working hours.
    pub weekly_hours: Vec<WeeklyHoursInput>,
}

/// One resource a service needs.
#[derive(InputObject)]
pub struct RequirementInput {
    /// Of this kind.
    pub kind: ResourceKind,
    /// Of this category.
    pub category: Option<String>,
    /// One of these resources.
    #[graphql(default)]
    pub resource_ids: Vec<ID>,
}

/// A new service.
#[derive(InputObject)]
pub struct CreateServiceInput {
    /// Name.
    pub name: String,
    /// Length, 5–1440.
    pub duration_minutes: i32,
    /// Kept free before.
    #[graphql(default)]
    pub buffer_before_minutes: i32,
    /// Kept free after.
    #[graphql(default)]
    pub buffer_after_minutes: i32,
    /// Least notice.
    #[graphql(default)]
    pub min_notice_minutes: i32,
    /// Days ahead.
    #[graphql(default = 90)]
    pub booking_window_days: i32,
    /// Spacing of offered starts (default: the duration).
    pub slot_step_minutes: Option<i32>,
    /// Patients cannot cancel or move within this many minutes of the start.
    #[graphql(default)]
    pub cancel_notice_minutes: i32,
    /// Reminders, minutes before the start.
    #[graphql(default)]
    pub reminder_offsets_minutes: Vec<i32>,
    /// Patients' bookings wait for the clinic.
    #[graphql(default)]
    pub requires_approval: bool,
    /// What it needs (1–5), all reserved together.
    pub requirements: Vec<RequirementInput>,
}

/// A booking (or a hold).
#[derive(InputObject)]
pub struct BookAppointmentInput {
    /// The service.
    pub service_id: ID,
    /// Start (one of the free slots).
    pub starts_at: DateTime<Utc>,
    /// Who it is for; the caller when absent. Staff book for others.
    pub patient_id: Option<ID>,
    /// The patient's IANA time zone.
    pub time_zone: String,
    /// Resources wanted (for the requirements they fit).
    #[graphql(default)]
    pub resource_ids: Vec<ID>,
    /// Makes a retried request return the first answer.
    pub idempotency_key: Option<String>,
    /// Note for the clinic.
    pub notes: Option<String>,
}

/// A recurring booking: the first occurrence and the rule that repeats it.
#[derive(InputObject)]
pub struct BookSeriesInput {
    /// The service.
    pub service_id: ID,
    /// The first occurrence's start; later ones keep its wall-clock time
    /// in `timeZone`.
    pub starts_at: DateTime<Utc>,
    /// Who it is for; the caller when absent. Staff book for others.
    pub patient_id: Option<ID>,
    /// The patient's IANA time zone, in which the rule repeats.
    pub time_zone: String,
    /// An RRULE (RFC 5545) with COUNT or UNTIL, e.g.
    /// `FREQ=WEEKLY;INTERVAL=2;COUNT=6`; daily, weekly or monthly.
    pub rule: String,
    /// Local dates to leave out.
    #[graphql(default)]
    pub except_dates: Vec<NaiveDate>,
    /// Resources wanted (for the requirements they fit).
    #[graphql(default)]
    pub resource_ids: Vec<ID>,
    /// All or nothing (the default), or book what is free.
    #[graphql(default_with = "SeriesMode::AllOrNothing")]
    pub mode: SeriesMode,
    /// Makes a retried request return the first answer.
    pub idempotency_key: Option<String>,
    /// Note for the clinic, on every occurrence.
    pub notes: Option<String>,
}

subgraph_kit::mirror_enum!(
    /// What a series does when an occurrence cannot be booked.
    SeriesMode = StoredSeriesMode {
        /// Book every occurrence or none; the conflicts are reported.
        AllOrNothing,
        /// Book the occurrences that are free and report the others.
        BookAvailable,
    }
);

/// Lifecycle steps staff and clinicians record.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AppointmentStep {
    /// The patient arrived.
    CheckIn,
    /// It started.
    Start,
    /// It is done.
    Complete,
    /// The patient did not come.
    NoShow,
}
