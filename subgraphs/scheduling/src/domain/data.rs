//! Scheduling's side of the data contract. A person's own appointments
//! (with their reservations, reminders and history), recurring series
//! and waitlist entries go; where they are a resource
//! (a clinician), the resource stays in the tenant's schedule but no
//! longer names them; where they booked for others or changed others'
//! appointments, their id is unlinked. Retention purges finished
//! appointments by age (and series left without any), and waitlist
//! entries that are over.

use async_trait::async_trait;
use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus as S},
    closure, history, reminder, reservation, resource, series, waitlist,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};
use uuid::Uuid;

/// Scheduling's data contract.
pub struct SchedulingData;

/// Statuses retention may purge.
const FINISHED: [S; 4] = [S::Completed, S::Cancelled, S::NoShow, S::Expired];

#[async_trait]
impl DataContract for SchedulingData {
    fn data_types(&self) -> &'static [&'static str] {
        &["finished_appointments", "finished_waitlist_entries"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let own = appointment::Entity::find()
            .filter(appointment::Column::TenantId.eq(who.tenant_id))
            .filter(appointment::Column::PatientId.eq(who.user_id))
            .all(db)
            .await?;
        let as_resource = resource::Entity::find()
            .filter(resource::Column::TenantId.eq(who.tenant_id))
            .filter(resource::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        let series = series::Entity::find()
            .filter(series::Column::TenantId.eq(who.tenant_id))
            .filter(series::Column::PatientId.eq(who.user_id))
            .all(db)
            .await?;
        let waiting = waitlist::Entity::find()
            .filter(waitlist::Column::TenantId.eq(who.tenant_id))
            .filter(waitlist::Column::PatientId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "waitlistEntries": waiting.iter().map(|e| json!({
                "id": e.id, "serviceId": e.service_id, "from": e.from_at, "to": e.until_at,
                "timeZone": e.time_zone, "status": e.status.as_str(), "offerId": e.offer_id,
                "createdAt": e.created_at,
            })).collect::<Vec<_>>(),
            "appointmentSeries": series.iter().map(|s| json!({
                "id": s.id, "serviceId": s.service_id, "rule": s.rule, "timeZone": s.time_zone,
                "createdAt": s.created_at,
            })).collect::<Vec<_>>(),
            "appointments": own.iter().map(|a| json!({
                "id": a.id, "serviceId": a.service_id, "seriesId": a.series_id, "status": a.status.as_str(),
                "startsAt": a.starts_at, "endsAt": a.ends_at, "timeZone": a.time_zone,
                "notes": a.notes, "cancelReason": a.cancel_reason, "createdAt": a.created_at,
            })).collect::<Vec<_>>(),
            "bookableAs": as_resource.iter().map(|r| json!({
                "resourceId": r.id, "name": r.name, "category": r.category, "timeZone": r.time_zone,
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let own: Vec<Uuid> = appointment::Entity::find()
            .filter(appointment::Column::TenantId.eq(who.tenant_id))
            .filter(appointment::Column::PatientId.eq(who.user_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let (history, reservations, appointments) = remove(txn, &own).await?;
        let series = series::Entity::delete_many()
            .filter(series::Column::TenantId.eq(who.tenant_id))
            .filter(series::Column::PatientId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let waiting = waitlist::Entity::delete_many()
            .filter(waitlist::Column::TenantId.eq(who.tenant_id))
            .filter(waitlist::Column::PatientId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let waitlist_unlinked = waitlist::Entity::update_many()
            .col_expr(waitlist::Column::AddedBy, Expr::value(Uuid::nil()))
            .filter(waitlist::Column::TenantId.eq(who.tenant_id))
            .filter(waitlist::Column::AddedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let series_unlinked = series::Entity::update_many()
            .col_expr(series::Column::BookedBy, Expr::value(Uuid::nil()))
            .filter(series::Column::TenantId.eq(who.tenant_id))
            .filter(series::Column::BookedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let history_unlinked = history::Entity::update_many()
            .col_expr(history::Column::ActorId, Expr::value(Option::<Uuid>::None))
            .filter(history::Column::TenantId.eq(who.tenant_id))
            .filter(history::Column::ActorId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let bookings_unlinked = appointment::Entity::update_many()
            .col_expr(appointment::Column::BookedBy, Expr::value(Uuid::nil()))
            .filter(appointment::Column::TenantId.eq(who.tenant_id))
            .filter(appointment::Column::BookedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        // Why they were away is about them: their time off stays (the
        // schedule keeps its shape) without the reason.
        let their_resources = resource::Entity::find()
            .filter(resource::Column::TenantId.eq(who.tenant_id))
            .filter(resource::Column::UserId.eq(who.user_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|r| r.id);
        let reasons_cleared = closure::Entity::update_many()
            .col_expr(closure::Column::Reason, Expr::value("(erased)"))
            .filter(closure::Column::TenantId.eq(who.tenant_id))
            .filter(closure::Column::ResourceId.is_in(their_resources))
            .exec(txn)
            .await?
            .rows_affected;
        let resources_unlinked = resource::Entity::update_many()
            .col_expr(resource::Column::UserId, Expr::value(Option::<Uuid>::None))
            .col_expr(resource::Column::Name, Expr::value("(erased person)"))
            .col_expr(resource::Column::Active, Expr::value(false))
            .filter(resource::Column::TenantId.eq(who.tenant_id))
            .filter(resource::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([
            ("appointments", appointments),
            ("appointment_reservations", reservations),
            ("appointment_history", history),
            ("appointment_series", series),
            ("appointment_series_booked_by_unlinked", series_unlinked),
            ("waitlist_entries", waiting),
            ("waitlist_entries_added_by_unlinked", waitlist_unlinked),
            ("appointment_history_unlinked", history_unlinked),
            ("appointments_booked_by_unlinked", bookings_unlinked),
            ("scheduling_resources_unlinked", resources_unlinked),
            ("scheduling_time_off_reasons_cleared", reasons_cleared),
        ]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        if p.data_type == "finished_waitlist_entries" {
            return purge_waitlist(db, p).await;
        }
        let old = appointment::Entity::find()
            .filter(appointment::Column::TenantId.eq(p.tenant_id))
            .filter(appointment::Column::Status.is_in(FINISHED))
            .filter(appointment::Column::EndsAt.lt(p.before))
            .filter(appointment::Column::PatientId.is_not_in(p.exceptions.clone()));
        if p.dry_run {
            return Ok(old.count(db).await?);
        }
        let ids: Vec<Uuid> = old.all(db).await?.into_iter().map(|a| a.id).collect();
        let txn = db.begin().await?;
        let (_, _, n) = remove(&txn, &ids).await?;
        // A series whose every appointment is gone has nothing left to say.
        series::Entity::delete_many()
            .filter(series::Column::TenantId.eq(p.tenant_id))
            .filter(
                series::Column::Id.not_in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(appointment::Column::SeriesId)
                        .from(appointment::Entity)
                        .and_where(appointment::Column::TenantId.eq(p.tenant_id))
                        .and_where(appointment::Column::SeriesId.is_not_null())
                        .to_owned(),
                ),
            )
            .exec(&txn)
            .await?;
        subgraph_kit::db::commit(txn).await?;
        Ok(n)
    }
}

/// Purges waitlist entries that are over (booked, expired, declined or
/// left) and last changed before the cutoff.
async fn purge_waitlist(db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
    use backbone_entities::scheduling::waitlist::WaitlistStatus as W;
    let over = [W::Booked, W::Expired, W::Declined, W::Left];
    let cond = sea_orm::Condition::all()
        .add(waitlist::Column::TenantId.eq(p.tenant_id))
        .add(waitlist::Column::Status.is_in(over))
        .add(waitlist::Column::UpdatedAt.lt(p.before))
        .add(waitlist::Column::PatientId.is_not_in(p.exceptions.clone()));
    if p.dry_run {
        return Ok(waitlist::Entity::find().filter(cond).count(db).await?);
    }
    Ok(waitlist::Entity::delete_many().filter(cond).exec(db).await?.rows_affected)
}

/// Deletes appointments `ids` with their history, reservations and
/// reminders; returns the counts of history rows, reservations and
/// appointments.
async fn remove(txn: &DatabaseTransaction, ids: &[Uuid]) -> ApiResult<(u64, u64, u64)> {
    reminder::Entity::delete_many()
        .filter(reminder::Column::AppointmentId.is_in(ids.to_vec()))
        .exec(txn)
        .await?;
    let history = history::Entity::delete_many()
        .filter(history::Column::AppointmentId.is_in(ids.to_vec()))
        .exec(txn)
        .await?
        .rows_affected;
    let reservations = reservation::Entity::delete_many()
        .filter(reservation::Column::AppointmentId.is_in(ids.to_vec()))
        .exec(txn)
        .await?
        .rows_affected;
    let appointments = appointment::Entity::delete_many()
        .filter(appointment::Column::Id.is_in(ids.to_vec()))
        .exec(txn)
        .await?
        .rows_affected;
    Ok((history, reservations, appointments))
}
