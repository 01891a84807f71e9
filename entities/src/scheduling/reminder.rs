//! A reminder due before an appointment, one per offset of its service;
//! written when the appointment is booked, moved with it, and sent once.

use sea_orm::entity::prelude::*;

/// A row of `appointment_reminders`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_reminders")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// Minutes before the start.
    pub offset_minutes: i32,
    /// When it is due.
    pub due_at: DateTimeUtc,
    /// Sent (or dropped because the appointment no longer needs it).
    pub sent: bool,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
