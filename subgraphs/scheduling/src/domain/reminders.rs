//! Reminders before an appointment, one per offset of its service.
//!
//! They are written when an appointment becomes scheduled, moved when it
//! is rescheduled and dropped when it is cancelled; the worker sends each
//! due one once, as an `appointment.reminder_due` event the notifications
//! subgraph turns into the patient's notification (with their
//! preferences and quiet hours). A reminder whose appointment is no
//! longer coming up is dropped unsent.

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus as S},
    reminder, service,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{ApiResult, outbox};
use uuid::Uuid;

use super::{events, hours};

/// Writes the reminders of `a` still ahead of `now`.
pub(crate) async fn schedule(
    txn: &impl ConnectionTrait,
    a: &appointment::Model,
    offsets: &[i32],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for &minutes in offsets {
        let due_at = a.starts_at - Duration::minutes(i64::from(minutes));
        if due_at <= now {
            continue;
        }
        reminder::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(a.tenant_id),
            appointment_id: Set(a.id),
            offset_minutes: Set(minutes),
            due_at: Set(due_at),
            sent: Set(false),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Drops the unsent reminders of an appointment.
pub(crate) async fn drop_pending(txn: &impl ConnectionTrait, appointment_id: Uuid) -> ApiResult<()> {
    reminder::Entity::delete_many()
        .filter(reminder::Column::AppointmentId.eq(appointment_id))
        .filter(reminder::Column::Sent.eq(false))
        .exec(txn)
        .await?;
    Ok(())
}

/// Sends up to 100 reminders due by `now`; returns how many went out.
pub async fn send_due(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<usize> {
    let due = reminder::Entity::find()
        .filter(reminder::Column::Sent.eq(false))
        .filter(reminder::Column::DueAt.lte(now))
        .order_by_asc(reminder::Column::DueAt)
        .limit(100)
        .all(db)
        .await?;
    let mut sent = 0;
    for r in due {
        let txn = db.begin().await?;
        // Claimed once even with several workers.
        let claimed = reminder::Entity::update_many()
            .col_expr(reminder::Column::Sent, Expr::value(true))
            .filter(reminder::Column::Id.eq(r.id))
            .filter(reminder::Column::Sent.eq(false))
            .exec(&txn)
            .await?
            .rows_affected;
        let a = appointment::Entity::find_by_id(r.appointment_id)
            .filter(appointment::Column::TenantId.eq(r.tenant_id))
            .one(&txn)
            .await?;
        let Some(a) = a.filter(|a| claimed == 1 && matches!(a.status, S::Scheduled | S::CheckedIn)) else {
            subgraph_kit::db::commit(txn).await?;
            continue;
        };
        let service = service::Entity::find_by_id(a.service_id)
            .filter(service::Column::TenantId.eq(a.tenant_id))
            .one(&txn)
            .await?;
        let payload = json!({
            "appointmentId": a.id.to_string(),
            "patientId": a.patient_id.to_string(),
            "serviceName": service.map(|s| s.name).unwrap_or_default(),
            "startsAt": a.starts_at,
            "localStart": local(&a),
            "offsetMinutes": r.offset_minutes,
        });
        outbox::enqueue(&txn, a.tenant_id, None, events::REMINDER_DUE, payload).await?;
        subgraph_kit::db::commit(txn).await?;
        sent += 1;
    }
    Ok(sent)
}

/// The start as the patient reads it, e.g. `Tue 3 Nov 2026 09:00 (America/Toronto)`.
pub(crate) fn local(a: &appointment::Model) -> String {
    let Ok(tz) = hours::zone("timeZone", &a.time_zone) else { return a.starts_at.to_rfc3339() };
    match jiff::Timestamp::from_second(a.starts_at.timestamp()) {
        Ok(t) => format!("{} ({})", t.to_zoned(tz).strftime("%a %-d %b %Y %H:%M"), a.time_zone),
        Err(_) => a.starts_at.to_rfc3339(),
    }
}
