//! An appointment's history: every status change and reschedule, kept.

use sea_orm::entity::prelude::*;

use super::appointment::AppointmentStatus;

/// A row of `appointment_history`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_history")]
pub struct Model {
    /// Id (UUIDv7: history order).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// Who made the change; `None` for the system.
    pub actor_id: Option<Uuid>,
    /// Status before; `None` when created.
    pub from_status: Option<AppointmentStatus>,
    /// Status after.
    pub to_status: AppointmentStatus,
    /// Start after the change.
    pub starts_at: DateTimeUtc,
    /// End after the change.
    pub ends_at: DateTimeUtc,
    /// Why, when given.
    pub reason: Option<String>,
    /// When.
    pub at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
