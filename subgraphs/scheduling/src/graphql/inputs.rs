//! Input types.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

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
