//! The scheduling domain as plain functions over a database connection.
//!
//! Every function scopes its queries by the tenant it is given; permission
//! checks happen in the GraphQL layer, which passes who may see what
//! ([`Viewer`]). Each change to an appointment writes its history row,
//! audit event and outbox event in one transaction; the event payload
//! carries the appointment after the change and the users its resources
//! are, so subscribers filter and render it without reading the database.

pub mod booking;
pub mod calendar;
pub mod data;
pub mod hours;
pub mod lifecycle;
pub mod lists;
pub mod metrics;
pub mod reminders;
pub mod resources;
pub mod series;
pub mod services;
pub mod slots;
pub mod waitlist;

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus},
    history, reservation, resource,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

/// Event types this domain emits.
pub mod events {
    /// Any change to an appointment (booked, held, confirmed, moved,
    /// cancelled, lapsed, a lifecycle step); the payload has it after the
    /// change.
    pub const UPDATED: &str = "appointment.updated";
    /// A reminder of an upcoming appointment is due; the payload names
    /// the patient, the service and the start in the patient's zone.
    pub const REMINDER_DUE: &str = "appointment.reminder_due";
    /// A freed slot is held for a patient on the waitlist until they
    /// confirm it or the hold lapses.
    pub const WAITLIST_OFFERED: &str = "appointment.waitlist_offered";
}

/// Who is looking, and how far they see: everything in the tenant, or
/// only appointments they are the patient of or a resource of.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    /// The caller.
    pub user_id: Uuid,
    /// Sees every appointment of the tenant.
    pub whole_tenant: bool,
}

/// An appointment with the resources it holds (or held).
#[derive(Debug, Clone)]
pub struct Booked {
    /// The appointment.
    pub appointment: appointment::Model,
    /// Its resources, in requirement order.
    pub resources: Vec<resource::Model>,
}

impl Booked {
    /// The users among its resources (its clinicians).
    pub fn resource_users(&self) -> Vec<Uuid> {
        self.resources.iter().filter_map(|r| r.user_id).collect()
    }

    /// Whether `viewer` may see it.
    pub fn visible_to(&self, viewer: Viewer) -> bool {
        viewer.whole_tenant
            || self.appointment.patient_id == viewer.user_id
            || self.resource_users().contains(&viewer.user_id)
    }
}

/// Loads an appointment of `tenant_id` with its resources; NOT_FOUND for
/// another tenant's or one `viewer` may not see (existence never leaks).
pub async fn find(db: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid, viewer: Viewer) -> ApiResult<Booked> {
    let a = appointment::Entity::find_by_id(id)
        .filter(appointment::Column::TenantId.eq(tenant_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such appointment".into()))?;
    let booked = with_resources(db, a).await?;
    if booked.visible_to(viewer) { Ok(booked) } else { Err(ApiError::NotFound("no such appointment".into())) }
}

/// `a` with its resources.
pub async fn with_resources(db: &impl ConnectionTrait, a: appointment::Model) -> ApiResult<Booked> {
    let held = reservation::Entity::find()
        .filter(reservation::Column::TenantId.eq(a.tenant_id))
        .filter(reservation::Column::AppointmentId.eq(a.id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = held.iter().map(|r| r.resource_id).collect();
    let mut resources = resource::Entity::find()
        .filter(resource::Column::TenantId.eq(a.tenant_id))
        .filter(resource::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    resources.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(Booked { appointment: a, resources })
}

/// One change to record.
pub struct Change<'a> {
    /// Who; `None` for the system.
    pub actor: Option<Uuid>,
    /// Status before (`None` when created).
    pub from: Option<AppointmentStatus>,
    /// Why, when given.
    pub reason: Option<&'a str>,
}

/// Writes the history row, audit event and outbox event of a change to
/// `b` (already saved) in `txn`.
pub(crate) async fn record(txn: &DatabaseTransaction, b: &Booked, change: Change<'_>) -> ApiResult<()> {
    let a = &b.appointment;
    history::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(a.tenant_id),
        appointment_id: Set(a.id),
        actor_id: Set(change.actor),
        from_status: Set(change.from),
        to_status: Set(a.status),
        starts_at: Set(a.starts_at),
        ends_at: Set(a.ends_at),
        reason: Set(change.reason.map(str::to_owned)),
        at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    let data = json!({
        "from": change.from.map(AppointmentStatus::as_str), "to": a.status.as_str(),
        "startsAt": a.starts_at, "endsAt": a.ends_at,
    });
    let entry = AuditEntry {
        event_type: events::UPDATED,
        resource_type: "appointment",
        resource_id: a.id.to_string(),
        data: data.clone(),
    };
    audit::append(txn, a.tenant_id, change.actor, entry).await?;
    let mut payload = data;
    payload["appointmentId"] = a.id.to_string().into();
    payload["patientId"] = a.patient_id.to_string().into();
    payload["resourceIds"] = json!(b.resources.iter().map(|r| r.id).collect::<Vec<_>>());
    payload["resourceUserIds"] = json!(b.resource_users());
    payload["resources"] =
        serde_json::to_value(&b.resources).map_err(|e| ApiError::Internal(e.to_string()))?;
    payload["appointment"] = serde_json::to_value(a).map_err(|e| ApiError::Internal(e.to_string()))?;
    outbox::enqueue(txn, a.tenant_id, change.actor, events::UPDATED, payload).await?;
    Ok(())
}
