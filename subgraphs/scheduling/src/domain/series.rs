//! Recurring appointments: an RRULE expanded in the patient's time zone
//! (so a weekly 09:00 stays 09:00 across daylight-saving changes), each
//! occurrence a real booking checked like any other. The caller chooses
//! all-or-nothing (one conflict books nothing) or booking what is free and
//! being told which occurrences were not.

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus},
    series::{self, SeriesMode},
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{
    Booked,
    booking::{self, Attempt, Placement, Request, reasons},
    services::Rules,
};

/// Why an occurrence was not booked.
pub mod conflicts {
    /// Another booking holds a resource then.
    pub const SLOT_TAKEN: &str = super::reasons::SLOT_TAKEN;
    /// The resources the service needs are not working then.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    /// Too soon or beyond the service's booking window.
    pub const OUTSIDE_WINDOW: &str = "OUTSIDE_WINDOW";
}

/// An occurrence that was not booked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// When it would have started.
    pub starts_at: DateTime<Utc>,
    /// One of [`conflicts`].
    pub reason: String,
    /// Why, for people.
    pub message: String,
}

/// A series request: the first occurrence as a booking request, and the
/// rule that repeats it.
pub struct SeriesRequest {
    /// The first occurrence (`starts_at`, zone, service, patient, …).
    pub first: Request,
    /// `FREQ=WEEKLY;INTERVAL=2;COUNT=6`, with or without `RRULE:`.
    pub rule: String,
    /// Local dates (in the request's zone) left out.
    pub except: Vec<NaiveDate>,
    /// How conflicts are handled.
    pub mode: SeriesMode,
    /// Refused when the rule yields more occurrences.
    pub max_occurrences: u16,
}

/// What became of a series request.
#[derive(Debug)]
pub struct Outcome {
    /// The series, unless nothing was booked.
    pub series: Option<series::Model>,
    /// The appointments booked, in time order.
    pub booked: Vec<Booked>,
    /// The occurrences not booked.
    pub conflicts: Vec<Conflict>,
}

/// The start instants of a rule from `first` in `zone`, without the
/// `except` local dates.
pub fn occurrences(
    rule: &str,
    zone: &str,
    first: DateTime<Utc>,
    except: &[NaiveDate],
    max: u16,
) -> ApiResult<Vec<DateTime<Utc>>> {
    let bad = |m: String| ApiError::bad_input("rule", m);
    let text = rule.trim();
    let text = text.strip_prefix("RRULE:").unwrap_or(text);
    if text.len() > 500 || text.contains(['\n', '\r']) {
        return Err(bad("a rule is one RRULE line of at most 500 characters".into()));
    }
    let parsed: rrule::RRule<rrule::Unvalidated> =
        text.parse().map_err(|e| bad(format!("not an RRULE: {e}")))?;
    if !matches!(
        parsed.get_freq(),
        rrule::Frequency::Daily | rrule::Frequency::Weekly | rrule::Frequency::Monthly
    ) {
        return Err(bad("a series repeats daily, weekly or monthly".into()));
    }
    if parsed.get_count().is_none() && parsed.get_until().is_none() {
        return Err(bad("a series needs COUNT or UNTIL".into()));
    }
    let tz: chrono_tz::Tz =
        zone.parse().map_err(|_| ApiError::bad_input("timeZone", format!("unknown time zone {zone:?}")))?;
    let start = first.with_timezone(&rrule::Tz::Tz(tz));
    let valid = parsed.validate(start).map_err(|e| bad(format!("the rule does not fit its start: {e}")))?;
    let all = rrule::RRuleSet::new(start).rrule(valid).all(max.saturating_add(1));
    if all.dates.len() > usize::from(max) {
        return Err(bad(format!("a series has at most {max} occurrences")));
    }
    Ok(all
        .dates
        .into_iter()
        .filter(|d| !except.contains(&d.date_naive()))
        .map(|d| d.with_timezone(&Utc))
        .collect())
}

/// Books the series of `req` at `now`.
pub async fn book(db: &DatabaseConnection, req: SeriesRequest, now: DateTime<Utc>) -> ApiResult<Outcome> {
    let first = &req.first;
    let tenant_id = first.service.tenant_id();
    if let Some(key) = first.key()?
        && let Some(done) = by_key(db, tenant_id, first.booked_by, key).await?
    {
        return replay(db, done, &req).await;
    }
    first.check()?;
    let starts = occurrences(&req.rule, &first.time_zone, first.starts_at, &req.except, req.max_occurrences)?;
    if starts.is_empty() {
        return Err(ApiError::bad_input("exceptDates", "every occurrence is excepted"));
    }
    let rules = Rules::of(first.service.row());
    let (resources, candidates) = booking::candidates(db, tenant_id, &rules, &first.resource_ids).await?;
    // A lost race on Postgres in all-or-nothing mode: try the whole again.
    for _ in 0..3 {
        match attempt(db, &req, &starts, &rules, (&resources, &candidates), now).await {
            Err(Attempt::Lost) => continue,
            Err(Attempt::Failed(e)) => return Err(e),
            Err(Attempt::KeyTaken) => {
                let key = first.idempotency_key.as_deref().unwrap_or_default();
                return match by_key(db, tenant_id, first.booked_by, key).await? {
                    Some(done) => replay(db, done, &req).await,
                    None => Err(ApiError::conflict(reasons::SLOT_TAKEN, "the series was just taken")),
                };
            }
            Ok(outcome) => return Ok(outcome),
        }
    }
    Err(ApiError::conflict(reasons::SLOT_TAKEN, "those times were just taken; try again"))
}

async fn attempt(
    db: &DatabaseConnection,
    req: &SeriesRequest,
    starts: &[DateTime<Utc>],
    rules: &Rules,
    pool: (&[backbone_entities::scheduling::resource::Model], &super::slots::Candidates),
    now: DateTime<Utc>,
) -> Result<Outcome, Attempt> {
    let first = &req.first;
    let series_id = Uuid::now_v7();
    let txn = db.begin().await?;
    booking::release_lapsed(&txn, pool.0, now).await?;
    let (mut booked, mut conflicts) = (Vec::new(), Vec::new());
    for &starts_at in starts {
        if let Err(e) = booking::check_window(rules, starts_at, now) {
            conflicts.push(Conflict {
                starts_at,
                reason: conflicts::OUTSIDE_WINDOW.into(),
                message: message(e),
            });
            continue;
        }
        let placement = Placement {
            tenant_id: first.service.tenant_id(),
            service_id: first.service.id(),
            patient_id: first.patient_id,
            booked_by: first.booked_by,
            starts_at,
            time_zone: &first.time_zone,
            status: if first.needs_approval {
                AppointmentStatus::Requested
            } else {
                AppointmentStatus::Scheduled
            },
            hold_expires_at: None,
            idempotency_key: None,
            notes: first.notes.as_deref(),
            series_id: Some(series_id),
        };
        // Each occurrence in a savepoint: a refused one leaves the others.
        let one = txn.begin().await?;
        match booking::place(&one, placement, rules, pool, now).await {
            Ok(b) => {
                subgraph_kit::db::commit(one).await?;
                booked.push(b);
            }
            Err(Attempt::Lost) if req.mode == SeriesMode::AllOrNothing => return Err(Attempt::Lost),
            Err(Attempt::Lost) => {
                one.rollback().await?;
                conflicts.push(taken(starts_at));
            }
            Err(Attempt::Failed(e)) => {
                one.rollback().await?;
                let reason = match &e {
                    ApiError::Because { reason, .. } if *reason == reasons::SLOT_TAKEN => {
                        conflicts::SLOT_TAKEN
                    }
                    ApiError::BadUserInput { .. } => conflicts::UNAVAILABLE,
                    _ => return Err(Attempt::Failed(e)),
                };
                conflicts.push(Conflict { starts_at, reason: reason.into(), message: message(e) });
            }
            Err(Attempt::KeyTaken) => return Err(Attempt::KeyTaken),
        }
    }
    if booked.is_empty() || (req.mode == SeriesMode::AllOrNothing && !conflicts.is_empty()) {
        txn.rollback().await?;
        return Ok(Outcome { series: None, booked: Vec::new(), conflicts });
    }
    let series = series::ActiveModel {
        id: Set(series_id),
        tenant_id: Set(first.service.tenant_id()),
        service_id: Set(first.service.id()),
        patient_id: Set(first.patient_id),
        booked_by: Set(first.booked_by),
        rule: Set(req.rule.trim().to_owned()),
        time_zone: Set(first.time_zone.clone()),
        mode: Set(req.mode),
        idempotency_key: Set(first.idempotency_key.clone()),
        conflicts: Set(serde_json::to_string(&conflicts).map_err(|e| ApiError::Internal(e.to_string()))?),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(Outcome { series: Some(series), booked, conflicts })
}

fn taken(starts_at: DateTime<Utc>) -> Conflict {
    Conflict { starts_at, reason: conflicts::SLOT_TAKEN.into(), message: "that time was just taken".into() }
}

fn message(e: ApiError) -> String {
    match e {
        ApiError::Because { message, .. } => message,
        ApiError::BadUserInput { message, .. } => message,
        other => other.to_string(),
    }
}

async fn by_key(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    booked_by: Uuid,
    key: &str,
) -> ApiResult<Option<series::Model>> {
    Ok(series::Entity::find()
        .filter(series::Column::TenantId.eq(tenant_id))
        .filter(series::Column::BookedBy.eq(booked_by))
        .filter(series::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// The first answer to a retried request.
async fn replay(db: &impl ConnectionTrait, done: series::Model, req: &SeriesRequest) -> ApiResult<Outcome> {
    if done.service_id != req.first.service.id()
        || done.patient_id != req.first.patient_id
        || done.rule != req.rule.trim()
    {
        return Err(ApiError::conflict(
            reasons::IDEMPOTENCY_KEY_REUSED,
            "this idempotency key was used for a different booking",
        ));
    }
    let rows = appointment::Entity::find()
        .filter(appointment::Column::TenantId.eq(done.tenant_id))
        .filter(appointment::Column::SeriesId.eq(done.id))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await?;
    let mut booked = Vec::with_capacity(rows.len());
    for a in rows {
        booked.push(super::with_resources(db, a).await?);
    }
    let conflicts = serde_json::from_str(&done.conflicts).unwrap_or_default();
    Ok(Outcome { series: Some(done), booked, conflicts })
}
