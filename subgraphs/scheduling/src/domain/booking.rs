//! Free-slot search and booking.
//!
//! Booking cannot double-book: the resources are chosen and their
//! reservations written in one transaction. On SQLite the single writer
//! makes that transaction the only one; on Postgres two transactions can
//! both see a seat free, and the exclusion constraint over unreleased
//! reservations lets exactly one of them write it — the other is told
//! `SLOT_TAKEN` (or, when another seat or resource is still free, tries
//! again). An idempotency key per booker makes a retried request return
//! the first answer.

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus},
    reservation,
    resource::{self, ResourceKind},
    service,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect, RuntimeErr, TransactionTrait,
    sea_query::Expr,
};
use subgraph_kit::{
    ApiError, ApiResult,
    quota::{Key, WithoutGrant},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{
    Booked, Change,
    calendar::{self, Calendar, to_utc},
    hours, reminders,
    services::Rules,
    slots::{self, Candidates},
};

/// Reasons a booking is refused with `CONFLICT`.
pub mod reasons {
    /// Another booking holds a resource at that time.
    pub const SLOT_TAKEN: &str = "SLOT_TAKEN";
    /// The idempotency key was used for a different booking.
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    /// The hold lapsed before it was confirmed.
    pub const HOLD_EXPIRED: &str = "HOLD_EXPIRED";
}

/// The active resources of the kinds `rules` needs, and for each
/// requirement the indexes of those that can fill it — only `preferred`
/// ones where any of them can.
pub async fn candidates(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    rules: &Rules,
    preferred: &[Uuid],
) -> ApiResult<(Vec<resource::Model>, Candidates)> {
    let kinds: Vec<ResourceKind> = rules.requirements.iter().map(|r| r.kind).collect();
    let all = resource::Entity::find()
        .filter(resource::Column::TenantId.eq(tenant_id))
        .filter(resource::Column::Active.eq(true))
        .filter(resource::Column::Kind.is_in(kinds))
        .all(db)
        .await?;
    let mut used: Vec<resource::Model> = Vec::new();
    let mut candidates = Vec::with_capacity(rules.requirements.len());
    for req in &rules.requirements {
        let fits: Vec<&resource::Model> = all.iter().filter(|r| req.accepts(r)).collect();
        let chosen: Vec<&resource::Model> =
            fits.iter().copied().filter(|r| preferred.contains(&r.id)).collect();
        let pool = if chosen.is_empty() { fits } else { chosen };
        let mut idx = Vec::with_capacity(pool.len());
        for r in pool {
            let i = used.iter().position(|u| u.id == r.id).unwrap_or_else(|| {
                used.push(r.clone());
                used.len() - 1
            });
            idx.push(i);
        }
        candidates.push(idx);
    }
    Ok((used, candidates))
}

/// A free slot: its start and end and the resources it would get.
#[derive(Debug, Clone)]
pub struct FreeSlot {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// One resource per requirement.
    pub resources: Vec<resource::Model>,
}

/// What a search asks for.
pub struct Search<'a> {
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// To (exclusive).
    pub to: DateTime<Utc>,
    /// Resources to prefer.
    pub preferred: &'a [Uuid],
    /// Only starts after this one (the page cursor).
    pub after: Option<DateTime<Utc>>,
    /// How many.
    pub limit: usize,
    /// The longest range allowed, in days.
    pub max_days: u32,
}

/// Bookable starts of `service` in the search's range, in time order.
pub async fn search(
    db: &impl ConnectionTrait,
    service: &service::Model,
    s: Search<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<FreeSlot>> {
    if s.to <= s.from {
        return Err(ApiError::bad_input("to", "the end of the range must come after its start"));
    }
    if s.to - s.from > Duration::days(i64::from(s.max_days)) {
        return Err(ApiError::bad_input("to", format!("a search covers at most {} days", s.max_days)));
    }
    let rules = Rules::of(service);
    let from = s.from.timestamp().max(now.timestamp() + rules.notice);
    let to = s.to.timestamp().min(now.timestamp() + rules.window + 1);
    if to <= from || !service.active {
        return Ok(Vec::new());
    }
    let (resources, candidates) = candidates(db, service.tenant_id, &rules, s.preferred).await?;
    // Calendars are built a chunk of days at a time (1, 2, 4, … days)
    // from the cursor on, until the page is full: a first page usually
    // needs a day's bookings, not the whole range's.
    let after = s.after.map(|a| a.timestamp());
    let mut lo = after.map_or(from, |a| from.max(a + 1));
    let mut span = 86_400;
    let mut out = Vec::new();
    while lo < to && out.len() < s.limit {
        let hi = lo.saturating_add(span).min(to);
        let range = (lo - rules.before, hi + rules.duration + rules.after);
        let sources = calendar::sources(db, service.tenant_id, &resources, range, now, None).await?;
        let calendars: Vec<Calendar> = resources.iter().map(|r| sources.calendar(r, range)).collect();
        let found = slots::search(&rules, &calendars, &candidates, (lo, hi), after, s.limit - out.len());
        out.extend(found.into_iter().map(|slot| FreeSlot {
            starts_at: to_utc(slot.start),
            ends_at: to_utc(slot.start + rules.duration),
            resources: slot.picks.iter().map(|&(c, _)| calendars[c].resource.clone()).collect(),
        }));
        lo = hi;
        span = span.saturating_mul(2);
    }
    Ok(out)
}

/// A booking request.
pub struct Request {
    /// The service, found in the caller's tenant.
    pub service: Ref<service::Entity>,
    /// Who it is for (a user of the tenant).
    pub patient_id: Uuid,
    /// Who asks.
    pub booked_by: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// The patient's time zone.
    pub time_zone: String,
    /// Resources asked for (each found in the tenant).
    pub resource_ids: Vec<Uuid>,
    /// Makes a retry return the first answer.
    pub idempotency_key: Option<String>,
    /// Held for this long instead of booked.
    pub hold: Option<Duration>,
    /// Requested (waits for staff) instead of scheduled.
    pub needs_approval: bool,
    /// Free-text note.
    pub notes: Option<String>,
}

impl Request {
    /// The idempotency key, if any, checked (1 to 200 characters).
    pub(crate) fn key(&self) -> ApiResult<Option<&str>> {
        match self.idempotency_key.as_deref() {
            Some(k) if k.is_empty() || k.len() > 200 => {
                Err(ApiError::bad_input("idempotencyKey", "an idempotency key is 1 to 200 characters"))
            }
            key => Ok(key),
        }
    }

    /// What a new booking needs: a bookable service, a known time zone
    /// and notes within bounds.
    pub(crate) fn check(&self) -> ApiResult<()> {
        if !self.service.row().active {
            return Err(ApiError::bad_input("serviceId", "this service is not bookable"));
        }
        hours::zone("timeZone", &self.time_zone)?;
        if self.notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(ApiError::bad_input("notes", "notes are at most 2000 characters"));
        }
        Ok(())
    }
}

/// Appointments a tenant may book per calendar month, as its billing plan
/// grants them (no limit when the plan does not name it).
pub const APPOINTMENTS_PER_MONTH: &str = "scheduling.appointments_per_month";

/// The entitlement keys scheduling spends.
pub const QUOTAS: &[Key] = &[Key { name: APPOINTMENTS_PER_MONTH, without_grant: WithoutGrant::Unlimited }];

/// The consumer group that follows them.
pub const QUOTA_GROUP: &str = "scheduling.quotas";

/// Books (or holds) `req` at `now`.
pub async fn book(db: &DatabaseConnection, req: Request, now: DateTime<Utc>) -> ApiResult<Booked> {
    let tenant_id = req.service.tenant_id();
    if let Some(key) = req.key()?
        && let Some(first) = by_key(db, tenant_id, req.booked_by, key).await?
    {
        return replay(db, first, &req).await;
    }
    req.check()?;
    let rules = Rules::of(req.service.row());
    check_window(&rules, req.starts_at, now)?;
    let (resources, candidates) = candidates(db, tenant_id, &rules, &req.resource_ids).await?;
    // A lost race on Postgres may leave another seat or resource free.
    for _ in 0..3 {
        match attempt(db, &req, &rules, (&resources, &candidates), now).await {
            Err(Attempt::Lost) => continue,
            Err(Attempt::Failed(e)) => return Err(e),
            Err(Attempt::KeyTaken) => {
                let key = req.idempotency_key.as_deref().unwrap_or_default();
                return match by_key(db, tenant_id, req.booked_by, key).await? {
                    Some(first) => replay(db, first, &req).await,
                    None => Err(taken()),
                };
            }
            Ok(booked) => return Ok(booked),
        }
    }
    Err(taken())
}

/// Whether a start is within the service's notice and booking window.
pub fn check_window(rules: &Rules, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> ApiResult<()> {
    let t = starts_at.timestamp();
    if t < now.timestamp() + rules.notice {
        return Err(ApiError::bad_input("startsAt", "too soon: the service needs more notice"));
    }
    if t > now.timestamp() + rules.window {
        return Err(ApiError::bad_input("startsAt", "too far ahead: beyond the service's booking window"));
    }
    Ok(())
}

fn taken() -> ApiError {
    ApiError::conflict(reasons::SLOT_TAKEN, "that time was just taken; pick another slot")
}

/// Why one try to place an appointment did not.
pub(crate) enum Attempt {
    /// Another transaction took a seat first (Postgres).
    Lost,
    /// The idempotency key was written concurrently.
    KeyTaken,
    /// Refused.
    Failed(ApiError),
}

impl From<ApiError> for Attempt {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

impl From<DbErr> for Attempt {
    fn from(e: DbErr) -> Self {
        match sqlstate(&e).as_deref() {
            // exclusion_violation: another transaction took the seat.
            Some("23P01") => Self::Lost,
            // unique_violation: the same key booked concurrently (or a
            // resource lock key clash, which cannot reach here).
            Some("23505") | Some("2067") | Some("1555") => Self::KeyTaken,
            _ => Self::Failed(e.into()),
        }
    }
}

/// The SQLSTATE (Postgres) or extended result code (SQLite) of a
/// database error.
pub(crate) fn sqlstate(e: &DbErr) -> Option<String> {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            e.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned())
        }
        _ => None,
    }
}

async fn attempt(
    db: &DatabaseConnection,
    req: &Request,
    rules: &Rules,
    pool: (&[resource::Model], &Candidates),
    now: DateTime<Utc>,
) -> Result<Booked, Attempt> {
    let status = match (req.hold, req.needs_approval) {
        (Some(_), _) => AppointmentStatus::Held,
        (None, true) => AppointmentStatus::Requested,
        (None, false) => AppointmentStatus::Scheduled,
    };
    let placement = Placement {
        tenant_id: req.service.tenant_id(),
        service_id: req.service.id(),
        patient_id: req.patient_id,
        booked_by: req.booked_by,
        starts_at: req.starts_at,
        time_zone: &req.time_zone,
        status,
        hold_expires_at: req.hold.map(|ttl| now + ttl),
        idempotency_key: req.idempotency_key.as_deref(),
        notes: req.notes.as_deref(),
        series_id: None,
    };
    let txn = db.begin().await?;
    release_lapsed(&txn, pool.0, now).await?;
    let booked = place(&txn, placement, rules, pool, now).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(booked)
}

/// One appointment to write.
pub(crate) struct Placement<'a> {
    pub tenant_id: Uuid,
    pub service_id: Uuid,
    pub patient_id: Uuid,
    pub booked_by: Uuid,
    pub starts_at: DateTime<Utc>,
    pub time_zone: &'a str,
    pub status: AppointmentStatus,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub idempotency_key: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub series_id: Option<Uuid>,
}

/// Picks free resources for `p` and writes the appointment, its
/// reservations, reminders and change record in `txn` (whose caller has
/// released lapsed holds on the pool).
pub(crate) async fn place(
    txn: &DatabaseTransaction,
    p: Placement<'_>,
    rules: &Rules,
    (resources, candidates): (&[resource::Model], &Candidates),
    now: DateTime<Utc>,
) -> Result<Booked, Attempt> {
    let start = p.starts_at.timestamp();
    let range = rules.reserved(start);
    let sources = calendar::sources(txn, p.tenant_id, resources, range, now, None).await?;
    let calendars: Vec<Calendar> = resources.iter().map(|r| sources.calendar(r, range)).collect();
    let Some(picks) = slots::assign(rules, &calendars, candidates, start) else {
        return Err(unavailable(rules, resources, candidates, &sources, start).into());
    };
    // Counted in this transaction: a booking that fails below gives it back.
    subgraph_kit::quota::spend(txn, p.tenant_id, APPOINTMENTS_PER_MONTH, 1, now).await?;
    let a = appointment::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(p.tenant_id),
        service_id: Set(p.service_id),
        patient_id: Set(p.patient_id),
        booked_by: Set(p.booked_by),
        status: Set(p.status),
        starts_at: Set(p.starts_at),
        ends_at: Set(to_utc(start + rules.duration)),
        time_zone: Set(p.time_zone.to_owned()),
        hold_expires_at: Set(p.hold_expires_at),
        idempotency_key: Set(p.idempotency_key.map(str::to_owned)),
        notes: Set(p.notes.map(str::to_owned)),
        cancel_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        series_id: Set(p.series_id),
    }
    .insert(txn)
    .await?;
    reserve(
        txn,
        &a,
        &picks.iter().map(|&(c, seat)| (&calendars[c].resource, seat)).collect::<Vec<_>>(),
        range,
        p.hold_expires_at,
    )
    .await?;
    if a.status == AppointmentStatus::Scheduled {
        reminders::schedule(txn, &a, &rules.reminders, now).await?;
    }
    let booked = Booked {
        appointment: a,
        resources: picks.iter().map(|&(c, _)| calendars[c].resource.clone()).collect(),
    };
    super::record(txn, &booked, Change { actor: Some(p.booked_by), from: None, reason: None }).await?;
    Ok(booked)
}

/// Writes one reservation per resource for `a`.
pub(crate) async fn reserve(
    txn: &impl ConnectionTrait,
    a: &appointment::Model,
    picks: &[(&resource::Model, i32)],
    (from, until): (i64, i64),
    hold_expires_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    for &(r, seat) in picks {
        reservation::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(a.tenant_id),
            appointment_id: Set(a.id),
            resource_id: Set(r.id),
            lock_key: Set(r.lock_key),
            seat: Set(seat),
            starts_at: Set(to_utc(from)),
            ends_at: Set(to_utc(until)),
            hold_expires_at: Set(hold_expires_at),
            released: Set(false),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Releases the reservations of lapsed holds on `resources`, so the
/// database constraint sees their seats free. Found through the
/// hold-expiry index first (there are few), then released by id: a filter
/// on the resources would let SQLite's planner read every reservation of
/// each resource instead.
pub(crate) async fn release_lapsed(
    txn: &impl ConnectionTrait,
    resources: &[resource::Model],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(tenant_id) = resources.first().map(|r| r.tenant_id) else { return Ok(()) };
    let lapsed: Vec<(Uuid, Uuid)> = reservation::Entity::find()
        .select_only()
        .columns([reservation::Column::Id, reservation::Column::ResourceId])
        .filter(reservation::Column::HoldExpiresAt.lte(now))
        .filter(reservation::Column::Released.eq(false))
        .filter(reservation::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .all(txn)
        .await?;
    let ids: Vec<Uuid> =
        lapsed.into_iter().filter(|(_, r)| resources.iter().any(|m| m.id == *r)).map(|(id, _)| id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    reservation::Entity::update_many()
        .col_expr(reservation::Column::Released, Expr::value(true))
        .filter(reservation::Column::Id.is_in(ids))
        .filter(reservation::Column::Released.eq(false))
        .exec(txn)
        .await?;
    Ok(())
}

/// Why no resources could be picked: taken (`SLOT_TAKEN`) when they would
/// be free but for other bookings, else not offered at that time.
fn unavailable(
    rules: &Rules,
    resources: &[resource::Model],
    candidates: &Candidates,
    sources: &calendar::Sources,
    start: i64,
) -> ApiError {
    let range = rules.reserved(start);
    let open: Vec<Calendar> = resources.iter().map(|r| sources.calendar_unbooked(r, range)).collect();
    if slots::assign(rules, &open, candidates, start).is_some() {
        taken()
    } else {
        ApiError::bad_input("startsAt", "no resources the service needs are available at that time")
    }
}

async fn by_key(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    booked_by: Uuid,
    key: &str,
) -> ApiResult<Option<appointment::Model>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::TenantId.eq(tenant_id))
        .filter(appointment::Column::BookedBy.eq(booked_by))
        .filter(appointment::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The first answer to a retried request; the same key for a different
/// booking is a conflict.
async fn replay(db: &impl ConnectionTrait, first: appointment::Model, req: &Request) -> ApiResult<Booked> {
    if first.service_id != req.service.id()
        || first.starts_at != req.starts_at
        || first.patient_id != req.patient_id
    {
        return Err(ApiError::conflict(
            reasons::IDEMPOTENCY_KEY_REUSED,
            "this idempotency key was used for a different booking",
        ));
    }
    super::with_resources(db, first).await
}
