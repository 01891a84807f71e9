//! One resource seat taken by one appointment for its time plus buffers.
//! On Postgres an exclusion constraint refuses two unreleased rows with
//! the same resource (`lock_key`), seat and overlapping time, so nothing —
//! a bug, a second replica — can double-book. A cancelled or lapsed
//! appointment's rows are released, not deleted: they still say which
//! resources it had.

use sea_orm::entity::prelude::*;

/// A row of `appointment_reservations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_reservations")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// The resource.
    pub resource_id: Uuid,
    /// The resource's `lock_key`.
    pub lock_key: i64,
    /// Which of the resource's seats (0 ..< capacity).
    pub seat: i32,
    /// From (the appointment's start less the buffer before).
    pub starts_at: DateTimeUtc,
    /// Until (its end plus the buffer after).
    pub ends_at: DateTimeUtc,
    /// While the appointment is held: when the hold lapses.
    pub hold_expires_at: Option<DateTimeUtc>,
    /// The seat is free again (the appointment was cancelled or lapsed).
    pub released: bool,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
