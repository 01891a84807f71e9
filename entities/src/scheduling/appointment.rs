//! An appointment: a service for a patient at a time, with every resource
//! it needs reserved (`appointment_reservations`).

use sea_orm::entity::prelude::*;

/// A row of `appointments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The service booked.
    pub service_id: Uuid,
    /// Who it is for.
    pub patient_id: Uuid,
    /// Who booked it (the patient, or staff for them).
    pub booked_by: Uuid,
    /// Where it is in its lifecycle.
    pub status: AppointmentStatus,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End (start + the service's duration, buffers not included).
    pub ends_at: DateTimeUtc,
    /// IANA time zone it was booked in (the patient's).
    pub time_zone: String,
    /// While held: when the hold lapses unless confirmed.
    pub hold_expires_at: Option<DateTimeUtc>,
    /// The booking request's idempotency key, unique per booker.
    pub idempotency_key: Option<String>,
    /// Free-text note from the booker.
    pub notes: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// The recurring series it is an occurrence of.
    pub series_id: Option<Uuid>,
}

/// Where an appointment is in its lifecycle, stored as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Resources held for a while as the patient confirms.
    #[sea_orm(string_value = "held")]
    Held,
    /// The hold lapsed unconfirmed; its resources are free again.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// Asked for by the patient, the resources reserved, waiting for staff
    /// to confirm (services that require approval).
    #[sea_orm(string_value = "requested")]
    Requested,
    /// Booked.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// The patient has arrived.
    #[sea_orm(string_value = "checked_in")]
    CheckedIn,
    /// Under way.
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    /// Done.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Called off; its resources are free again.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// The patient did not come.
    #[sea_orm(string_value = "no_show")]
    NoShow,
}

impl AppointmentStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Expired => "expired",
            Self::Requested => "requested",
            Self::Scheduled => "scheduled",
            Self::CheckedIn => "checked_in",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
