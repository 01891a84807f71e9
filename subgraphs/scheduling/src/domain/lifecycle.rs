//! An appointment's lifecycle after booking: confirming a hold or a
//! request, check-in → in progress → completed, no-show, cancellation and
//! rescheduling (with the service's notice window for patients), and the
//! lapse of unconfirmed holds. Every status change is conditional on the
//! status it was read in, so two concurrent changes cannot both apply.

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus as S},
    reservation, service,
    waitlist::WaitlistStatus,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::Expr,
};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{
    Booked, Change,
    booking::{self, reasons},
    calendar::{self, Calendar, to_utc},
    reminders,
    services::Rules,
    slots, waitlist,
};

/// Whether `from → to` is a lifecycle step.
pub fn allowed(from: S, to: S) -> bool {
    matches!(
        (from, to),
        (S::Held, S::Scheduled | S::Requested | S::Cancelled | S::Expired)
            | (S::Requested, S::Scheduled | S::Cancelled)
            | (S::Scheduled, S::CheckedIn | S::InProgress | S::NoShow | S::Cancelled)
            | (S::CheckedIn, S::InProgress | S::NoShow | S::Cancelled)
            | (S::InProgress, S::Completed)
    )
}

/// Statuses whose reservations are given back.
fn releases(s: S) -> bool {
    matches!(s, S::Cancelled | S::Expired | S::NoShow)
}

/// Who asks for a change and with what say.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The caller.
    pub user_id: Uuid,
    /// Staff may act inside the notice window (with a reason).
    pub staff: bool,
    /// Why, when given.
    pub reason: Option<&'a str>,
}

/// Moves `b` to `to` at `now`. A hold may be confirmed only before it
/// lapses; a patient may not cancel inside the service's notice window.
/// A start freed by a cancellation is offered to the waitlist, held for
/// `offer_ttl`.
pub async fn transition(
    db: &DatabaseConnection,
    b: Booked,
    to: S,
    actor: Actor<'_>,
    offer_ttl: Duration,
    now: DateTime<Utc>,
) -> ApiResult<Booked> {
    let from = b.appointment.status;
    if !allowed(from, to) {
        return Err(ApiError::conflict(
            "INVALID_TRANSITION",
            format!("an appointment that is {} cannot become {}", from.as_str(), to.as_str()),
        ));
    }
    if from == S::Held && to != S::Cancelled && b.appointment.hold_expires_at.is_some_and(|t| t <= now) {
        return Err(ApiError::conflict(reasons::HOLD_EXPIRED, "the hold lapsed; book the slot again"));
    }
    if to == S::Cancelled {
        inside_notice(db, &b, actor, now).await?;
    }
    if to == S::NoShow && b.appointment.starts_at > now {
        return Err(ApiError::conflict("INVALID_TRANSITION", "no-show can be recorded only after the start"));
    }
    let reason = actor.reason.map(|r| super::resources::text("reason", r, 500)).transpose()?;
    let txn = db.begin().await?;
    let a =
        set_status(&txn, &b.appointment, to, now, reason.as_deref().filter(|_| to == S::Cancelled)).await?;
    if releases(to) {
        release(&txn, a.id).await?;
        reminders::drop_pending(&txn, a.id).await?;
    } else if from == S::Held {
        reservation::Entity::update_many()
            .col_expr(reservation::Column::HoldExpiresAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(reservation::Column::AppointmentId.eq(a.id))
            .exec(&txn)
            .await?;
    }
    if to == S::Scheduled {
        let offsets = service_of(&txn, &a).await.map(|s| Rules::of(&s).reminders).unwrap_or_default();
        reminders::schedule(&txn, &a, &offsets, now).await?;
    }
    if from == S::Held {
        let settled = match to {
            S::Scheduled | S::Requested => WaitlistStatus::Booked,
            S::Expired => WaitlistStatus::Expired,
            _ => WaitlistStatus::Declined,
        };
        waitlist::settle(&txn, a.id, settled, now).await?;
    }
    if matches!(to, S::Cancelled | S::Expired) {
        waitlist::offer_freed(&txn, a.tenant_id, a.service_id, a.starts_at, offer_ttl, now).await?;
    }
    let booked = Booked { appointment: a, resources: b.resources };
    super::record(
        &txn,
        &booked,
        Change { actor: Some(actor.user_id), from: Some(from), reason: reason.as_deref() },
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(booked)
}

/// Refuses a patient's change inside the service's notice window, and a
/// staff override without a reason.
async fn inside_notice(
    db: &impl ConnectionTrait,
    b: &Booked,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let a = &b.appointment;
    let Ok(s) = service_of(db, a).await else { return Ok(()) };
    let window = Duration::minutes(i64::from(s.cancel_notice_minutes));
    if a.status == S::Held || a.starts_at - now >= window {
        return Ok(());
    }
    if !actor.staff {
        return Err(ApiError::conflict(
            "INSIDE_NOTICE_WINDOW",
            format!("changes within {} minutes of the start need the clinic", s.cancel_notice_minutes),
        ));
    }
    if actor.reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ApiError::bad_input("reason", "a change inside the notice window needs a reason"));
    }
    Ok(())
}

/// The service of `a` (in its tenant).
async fn service_of(db: &impl ConnectionTrait, a: &appointment::Model) -> ApiResult<service::Model> {
    service::Entity::find_by_id(a.service_id)
        .filter(service::Column::TenantId.eq(a.tenant_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such service".into()))
}

/// Sets the status if it is still what was read.
async fn set_status(
    txn: &DatabaseTransaction,
    a: &appointment::Model,
    to: S,
    now: DateTime<Utc>,
    cancel_reason: Option<&str>,
) -> ApiResult<appointment::Model> {
    let mut update = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, Expr::value(to))
        .col_expr(appointment::Column::UpdatedAt, Expr::value(now))
        .filter(appointment::Column::Id.eq(a.id))
        .filter(appointment::Column::Status.eq(a.status));
    if to != S::Held {
        update =
            update.col_expr(appointment::Column::HoldExpiresAt, Expr::value(Option::<DateTime<Utc>>::None));
    }
    if let Some(r) = cancel_reason {
        update = update.col_expr(appointment::Column::CancelReason, Expr::value(r));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(ApiError::conflict("CHANGED_MEANWHILE", "the appointment changed meanwhile; reload it"));
    }
    appointment::Entity::find_by_id(a.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such appointment".into()))
}

async fn release(txn: &impl ConnectionTrait, appointment_id: Uuid) -> ApiResult<()> {
    reservation::Entity::update_many()
        .col_expr(reservation::Column::Released, Expr::value(true))
        .filter(reservation::Column::AppointmentId.eq(appointment_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Moves `b` to `starts_at`, keeping its resources where they are free
/// then; the history keeps the old time, and the old start is offered to
/// the waitlist (held for `offer_ttl`).
pub async fn reschedule(
    db: &DatabaseConnection,
    b: Booked,
    starts_at: DateTime<Utc>,
    actor: Actor<'_>,
    offer_ttl: Duration,
    now: DateTime<Utc>,
) -> ApiResult<Booked> {
    let a = &b.appointment;
    if !matches!(a.status, S::Scheduled | S::Requested) {
        return Err(ApiError::conflict(
            "INVALID_TRANSITION",
            format!("an appointment that is {} cannot be moved", a.status.as_str()),
        ));
    }
    inside_notice(db, &b, actor, now).await?;
    let service = service_of(db, a).await?;
    let rules = Rules::of(&service);
    booking::check_window(&rules, starts_at, now)?;
    let keep: Vec<Uuid> = b.resources.iter().map(|r| r.id).collect();
    let (resources, candidates) = booking::candidates(db, a.tenant_id, &rules, &keep).await?;
    let start = starts_at.timestamp();
    let range = rules.reserved(start);
    let txn = db.begin().await?;
    booking::release_lapsed(&txn, &resources, now).await?;
    let sources = calendar::sources(&txn, a.tenant_id, &resources, range, now, Some(a.id)).await?;
    let calendars: Vec<Calendar> = resources.iter().map(|r| sources.calendar(r, range)).collect();
    let picks = slots::assign(&rules, &calendars, &candidates, start).ok_or_else(|| {
        ApiError::conflict(reasons::SLOT_TAKEN, "the resources are not free at that time; pick another slot")
    })?;
    reservation::Entity::delete_many().filter(reservation::Column::AppointmentId.eq(a.id)).exec(&txn).await?;
    let mut row: appointment::ActiveModel = a.clone().into();
    row.starts_at = Set(starts_at);
    row.ends_at = Set(to_utc(start + rules.duration));
    row.updated_at = Set(now);
    let moved = row.update(&txn).await?;
    reminders::drop_pending(&txn, moved.id).await?;
    if moved.status == S::Scheduled {
        reminders::schedule(&txn, &moved, &rules.reminders, now).await?;
    }
    let chosen: Vec<_> = picks.iter().map(|&(c, seat)| (&calendars[c].resource, seat)).collect();
    if let Err(e) = booking::reserve(&txn, &moved, &chosen, range, None).await {
        return Err(match booking::sqlstate(&e).as_deref() {
            Some("23P01") => {
                ApiError::conflict(reasons::SLOT_TAKEN, "that time was just taken; pick another slot")
            }
            _ => e.into(),
        });
    }
    let booked = Booked { appointment: moved, resources: chosen.iter().map(|(r, _)| (*r).clone()).collect() };
    let reason = actor.reason.unwrap_or("rescheduled");
    super::record(
        &txn,
        &booked,
        Change { actor: Some(actor.user_id), from: Some(a.status), reason: Some(reason) },
    )
    .await?;
    waitlist::offer_freed(&txn, a.tenant_id, a.service_id, a.starts_at, offer_ttl, now).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(booked)
}

/// Lapses up to 100 holds whose time ran out before `now`; returns how
/// many. A lapsed waitlist offer goes to the next patient waiting (held
/// for `offer_ttl`).
pub async fn lapse_holds(
    db: &DatabaseConnection,
    offer_ttl: Duration,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let due = appointment::Entity::find()
        .filter(appointment::Column::Status.eq(S::Held))
        .filter(appointment::Column::HoldExpiresAt.lte(now))
        .order_by_asc(appointment::Column::HoldExpiresAt)
        .limit(100)
        .all(db)
        .await?;
    let mut lapsed = 0;
    for a in due {
        let b = super::with_resources(db, a).await?;
        let txn = db.begin().await?;
        match set_status(&txn, &b.appointment, S::Expired, now, None).await {
            Ok(a) => {
                release(&txn, a.id).await?;
                waitlist::settle(&txn, a.id, WaitlistStatus::Expired, now).await?;
                let booked = Booked { appointment: a, resources: b.resources };
                super::record(
                    &txn,
                    &booked,
                    Change { actor: None, from: Some(S::Held), reason: Some("hold lapsed") },
                )
                .await?;
                let a = &booked.appointment;
                waitlist::offer_freed(&txn, a.tenant_id, a.service_id, a.starts_at, offer_ttl, now).await?;
                subgraph_kit::db::commit(txn).await?;
                lapsed += 1;
            }
            // Confirmed or cancelled meanwhile.
            Err(ApiError::Because { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(lapsed)
}

/// Runs [`lapse_holds`], [`reminders::send_due`] and
/// [`waitlist::close_passed`] every `every` until `shutdown` resolves.
pub async fn run(
    db: DatabaseConnection,
    every: std::time::Duration,
    offer_ttl: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(error) = lapse_holds(&db, offer_ttl, Utc::now()).await {
            tracing::warn!(%error, "lapsing holds failed; next pass retries");
        }
        if let Err(error) = reminders::send_due(&db, Utc::now()).await {
            tracing::warn!(%error, "sending reminders failed; next pass retries");
        }
        if let Err(error) = waitlist::close_passed(&db, Utc::now()).await {
            tracing::warn!(%error, "closing past waitlist entries failed; next pass retries");
        }
    }
}
