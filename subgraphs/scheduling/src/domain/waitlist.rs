//! The waitlist: patients waiting for a service in a time range. When a
//! slot of that service frees (a cancellation, a reschedule away, a hold
//! that lapsed) the first patient waiting for that time is offered it as
//! a hold, in the same transaction that freed it, and told so through an
//! `appointment.waitlist_offered` event. An offer they do not confirm in
//! time (or turn down) ends their entry and goes to the next in line.

use backbone_entities::scheduling::{
    appointment::AppointmentStatus,
    service,
    waitlist::{self, WaitlistStatus},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
    pagination::{Page, Paged},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{
    Booked, Viewer,
    booking::{self, Placement},
    events, hours,
    services::Rules,
};

/// The longest range one entry may wait for.
const MAX_RANGE_DAYS: i64 = 92;
/// Entries one patient may have waiting at once.
const MAX_WAITING: u64 = 20;

/// A request to wait.
pub struct Join {
    /// The service, found in the caller's tenant.
    pub service: Ref<service::Entity>,
    /// Who waits (a user of the tenant).
    pub patient_id: Uuid,
    /// Who asks.
    pub added_by: Uuid,
    /// Earliest start wanted.
    pub from: DateTime<Utc>,
    /// Starts wanted before this.
    pub until: DateTime<Utc>,
    /// The patient's time zone.
    pub time_zone: String,
}

/// Puts a patient on the waitlist.
pub async fn join(db: &DatabaseConnection, j: Join, now: DateTime<Utc>) -> ApiResult<waitlist::Model> {
    if j.until <= j.from {
        return Err(ApiError::bad_input("to", "the end of the range must come after its start"));
    }
    if j.until <= now {
        return Err(ApiError::bad_input("to", "the range is over"));
    }
    if j.until - j.from > Duration::days(MAX_RANGE_DAYS) {
        return Err(ApiError::bad_input("to", format!("a waitlist range is at most {MAX_RANGE_DAYS} days")));
    }
    hours::zone("timeZone", &j.time_zone)?;
    if !j.service.row().active {
        return Err(ApiError::bad_input("serviceId", "this service is not bookable"));
    }
    let tenant_id = j.service.tenant_id();
    let waiting = waitlist::Entity::find()
        .filter(waitlist::Column::TenantId.eq(tenant_id))
        .filter(waitlist::Column::PatientId.eq(j.patient_id))
        .filter(waitlist::Column::Status.is_in([WaitlistStatus::Waiting, WaitlistStatus::Offered]))
        .count(db)
        .await?;
    if waiting >= MAX_WAITING {
        return Err(ApiError::bad_input(
            "patientId",
            format!("at most {MAX_WAITING} waitlist entries at once"),
        ));
    }
    let txn = db.begin().await?;
    let entry = waitlist::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        service_id: Set(j.service.id()),
        patient_id: Set(j.patient_id),
        added_by: Set(j.added_by),
        from_at: Set(j.from),
        until_at: Set(j.until),
        time_zone: Set(j.time_zone),
        status: Set(WaitlistStatus::Waiting),
        offer_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    log(&txn, &entry, Some(j.added_by), "waitlist.joined").await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(entry)
}

/// Takes a waiting patient off the list.
pub async fn leave(
    db: &DatabaseConnection,
    entry: waitlist::Model,
    actor: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<waitlist::Model> {
    let txn = db.begin().await?;
    let left = set(&txn, &entry, WaitlistStatus::Waiting, WaitlistStatus::Left, now).await?;
    let Some(left) = left else {
        return Err(ApiError::conflict(
            "INVALID_TRANSITION",
            "only a waiting entry can leave; an offer is turned down by cancelling its hold",
        ));
    };
    log(&txn, &left, Some(actor), "waitlist.left").await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(left)
}

/// Entry `id` of `tenant_id` if `viewer` may see it (theirs, added by
/// them, or the whole tenant's); NOT_FOUND otherwise.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    viewer: Viewer,
) -> ApiResult<waitlist::Model> {
    waitlist::Entity::find_by_id(id)
        .filter(waitlist::Column::TenantId.eq(tenant_id))
        .one(db)
        .await?
        .filter(|e| viewer.whole_tenant || e.patient_id == viewer.user_id || e.added_by == viewer.user_id)
        .ok_or_else(|| ApiError::NotFound("no such waitlist entry".into()))
}

/// One page of the entries `viewer` may see, first come first.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    viewer: Viewer,
    service_id: Option<Uuid>,
    page: &Page,
) -> ApiResult<Paged<waitlist::Model>> {
    let mut q = waitlist::Entity::find().filter(waitlist::Column::TenantId.eq(tenant_id));
    if !viewer.whole_tenant {
        q = q.filter(waitlist::Column::PatientId.eq(viewer.user_id));
    }
    if let Some(s) = service_id {
        q = q.filter(waitlist::Column::ServiceId.eq(s));
    }
    page.fetch_at(db, q.order_by_asc(waitlist::Column::Id)).await
}

/// Closes (as `LEFT`) the waiting entries whose range ended by `now`;
/// returns how many.
pub async fn close_passed(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<u64> {
    Ok(waitlist::Entity::update_many()
        .col_expr(waitlist::Column::Status, Expr::value(WaitlistStatus::Left))
        .col_expr(waitlist::Column::UpdatedAt, Expr::value(now))
        .filter(waitlist::Column::Status.eq(WaitlistStatus::Waiting))
        .filter(waitlist::Column::UntilAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// Settles the offer that was appointment `offer_id` as `to` (booked,
/// declined or expired); nothing when it was no offer.
pub(crate) async fn settle(
    txn: &DatabaseTransaction,
    offer_id: Uuid,
    to: WaitlistStatus,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let offered = waitlist::Entity::find()
        .filter(waitlist::Column::OfferId.eq(offer_id))
        .filter(waitlist::Column::Status.eq(WaitlistStatus::Offered))
        .one(txn)
        .await?;
    if let Some(e) = offered
        && let Some(done) = set(txn, &e, WaitlistStatus::Offered, to, now).await?
    {
        log(txn, &done, None, "waitlist.offer_settled").await?;
    }
    Ok(())
}

/// Offers a just-freed start of `service_id` to the first patient waiting
/// for it: a hold of `ttl` in `txn`. Nothing when nobody waits for that
/// time, or it is not bookable (too soon, or not free after all).
pub(crate) async fn offer_freed(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    service_id: Uuid,
    starts_at: DateTime<Utc>,
    ttl: Duration,
    now: DateTime<Utc>,
) -> ApiResult<Option<Booked>> {
    let Some(entry) = waitlist::Entity::find()
        .filter(waitlist::Column::TenantId.eq(tenant_id))
        .filter(waitlist::Column::ServiceId.eq(service_id))
        .filter(waitlist::Column::Status.eq(WaitlistStatus::Waiting))
        .filter(waitlist::Column::FromAt.lte(starts_at))
        .filter(waitlist::Column::UntilAt.gt(starts_at))
        .order_by_asc(waitlist::Column::Id)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(service) = service::Entity::find_by_id(service_id)
        .filter(service::Column::TenantId.eq(tenant_id))
        .filter(service::Column::Active.eq(true))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let rules = Rules::of(&service);
    if booking::check_window(&rules, starts_at, now).is_err() {
        return Ok(None);
    }
    let (resources, candidates) = booking::candidates(txn, tenant_id, &rules, &[]).await?;
    let placement = Placement {
        tenant_id,
        service_id,
        patient_id: entry.patient_id,
        booked_by: entry.added_by,
        starts_at,
        time_zone: &entry.time_zone,
        status: AppointmentStatus::Held,
        hold_expires_at: Some(now + ttl),
        idempotency_key: None,
        notes: None,
        series_id: None,
    };
    // In a savepoint: an offer that cannot be placed leaves the change
    // that freed the slot intact.
    let one = txn.begin().await?;
    let Ok(offer) = booking::place(&one, placement, &rules, (&resources, &candidates), now).await else {
        one.rollback().await?;
        return Ok(None);
    };
    subgraph_kit::db::commit(one).await?;
    let mut row: waitlist::ActiveModel = entry.into();
    row.status = Set(WaitlistStatus::Offered);
    row.offer_id = Set(Some(offer.appointment.id));
    row.updated_at = Set(now);
    let entry = row.update(txn).await?;
    log(txn, &entry, None, "waitlist.offered").await?;
    let a = &offer.appointment;
    let payload = json!({
        "waitlistEntryId": entry.id.to_string(),
        "appointmentId": a.id.to_string(),
        "patientId": a.patient_id.to_string(),
        "serviceName": service.name,
        "startsAt": a.starts_at,
        "localStart": super::reminders::local(a),
        "holdExpiresAt": a.hold_expires_at,
    });
    outbox::enqueue(txn, tenant_id, None, events::WAITLIST_OFFERED, payload).await?;
    Ok(Some(offer))
}

/// Moves `e` from `from` to `to` if it is still `from`.
async fn set(
    txn: &DatabaseTransaction,
    e: &waitlist::Model,
    from: WaitlistStatus,
    to: WaitlistStatus,
    now: DateTime<Utc>,
) -> ApiResult<Option<waitlist::Model>> {
    let done = waitlist::Entity::update_many()
        .col_expr(waitlist::Column::Status, Expr::value(to))
        .col_expr(waitlist::Column::UpdatedAt, Expr::value(now))
        .filter(waitlist::Column::Id.eq(e.id))
        .filter(waitlist::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(None);
    }
    Ok(waitlist::Entity::find_by_id(e.id).one(txn).await?)
}

async fn log(
    txn: &DatabaseTransaction,
    e: &waitlist::Model,
    actor: Option<Uuid>,
    what: &'static str,
) -> ApiResult<()> {
    let entry = AuditEntry {
        event_type: what,
        resource_type: "waitlist_entry",
        resource_id: e.id.to_string(),
        data: json!({"serviceId": e.service_id, "status": e.status.as_str(), "offerId": e.offer_id}),
    };
    audit::append(txn, e.tenant_id, actor, entry).await?;
    Ok(())
}
