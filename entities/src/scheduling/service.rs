//! A service (an appointment type): how long it takes, the buffers around
//! it, when it may be booked, and which resources it needs.

use sea_orm::entity::prelude::*;

/// A row of `scheduling_services`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "scheduling_services")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Display name.
    pub name: String,
    /// Length of the appointment.
    pub duration_minutes: i32,
    /// Time kept free before it on every resource.
    pub buffer_before_minutes: i32,
    /// Time kept free after it on every resource.
    pub buffer_after_minutes: i32,
    /// How long before its start it may be booked at the latest.
    pub min_notice_minutes: i32,
    /// How many days ahead it may be booked.
    pub booking_window_days: i32,
    /// Spacing of the start times offered.
    pub slot_step_minutes: i32,
    /// Patients may not cancel or reschedule within this many minutes of
    /// the start; staff may, with a reason.
    pub cancel_notice_minutes: i32,
    /// JSON: the resources it needs, each reserved together or none:
    /// `[{"kind": "person", "category": "clinician", "resourceIds": [..]}]`.
    #[sea_orm(column_type = "Text")]
    pub requirements: String,
    /// JSON: minutes before the start at which reminders go out.
    #[sea_orm(column_type = "Text")]
    pub reminder_offsets: String,
    /// A patient's booking waits for staff to confirm it.
    pub requires_approval: bool,
    /// Inactive services cannot be booked.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
