//! Plan entitlements enforced where they are spent, with no call to
//! billing on the request path.
//!
//! Billing publishes `billing.entitlements_changed` with the full list of
//! what a tenant's plan grants whenever the plan in force changes. A
//! subgraph that spends some of those keys follows the event ([`follow`])
//! into its own rows of `entitlement_quotas`, then checks them in the
//! transaction of the spend: [`spend`] for a limit per calendar month
//! (appointments booked), [`admit`] for a count the subgraph keeps itself
//! (users). A hard limit refuses with `BUDGET_EXCEEDED` (reason
//! `ENTITLEMENT_LIMIT`); a soft one lets the spend through and tells the
//! tenant's admins once ([`SOFT_LIMIT_EXCEEDED`]).
//!
//! A tenant with no row has no limit from billing: it never subscribed
//! (dev mode, the platform's own tenants), or its plan does not name a key
//! whose [`Key::without_grant`] is [`WithoutGrant::Unlimited`]. A
//! subscription that ended or is suspended withdraws every key: 0, hard.

use backbone_entities::platform::entitlement_quota as quota;
use backbone_schema::{ErrorCode, EventEnvelope, event_types::ENTITLEMENTS_CHANGED};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    outbox,
};

/// Published (through the outbox) when a spend passes a soft limit, to
/// the tenant's admins (`recipientIds`).
pub const SOFT_LIMIT_EXCEEDED: &str = "entitlement.soft_limit_exceeded";

/// The `extensions.reason` of a spend refused by a hard limit.
pub const REFUSED: &str = "ENTITLEMENT_LIMIT";

/// What a plan in force that does not name a key means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithoutGrant {
    /// No limit from billing (a core feature every plan has).
    Unlimited,
    /// Nothing may be spent (an add-on the plan must grant).
    Nothing,
}

/// A key a subgraph spends.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// As plans grant it, e.g. `scheduling.appointments_per_month`.
    pub name: &'static str,
    /// What a plan that does not grant it means.
    pub without_grant: WithoutGrant,
}

/// What billing grants a tenant for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// None: granted without a limit.
    pub limit: Option<i64>,
    /// Refused beyond the limit, or noticed.
    pub hard: bool,
}

fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0).single().unwrap_or(now)
}

/// What `event` grants for `key`: `None` for no limit from billing.
fn granted(event: &EventEnvelope, key: &Key) -> Option<Grant> {
    let withdrawn = Some(Grant { limit: Some(0), hard: true });
    if serde_json::Value::is_null(&event.payload["planCode"]) {
        return withdrawn; // ended or suspended
    }
    let grants = event.payload["entitlements"].as_array();
    match grants.and_then(|g| g.iter().find(|g| g["key"] == key.name)) {
        Some(g) => Some(Grant { limit: g["limit"].as_i64(), hard: g["hard"] != false }),
        None if key.without_grant == WithoutGrant::Nothing => withdrawn,
        None => None,
    }
}

/// Follows `billing.entitlements_changed` for `keys` as `consumer`: the
/// tenant's rows become what the plan now grants (this month's use is
/// kept). Once per event, whatever the redeliveries; other events are
/// ignored.
pub async fn follow(
    db: &DatabaseConnection,
    consumer: &str,
    event: &EventEnvelope,
    keys: &[Key],
) -> ApiResult<()> {
    if event.event_type != ENTITLEMENTS_CHANGED {
        return Ok(());
    }
    let txn = db.begin().await?;
    if !crate::consumed::first_time(&txn, consumer, event.id).await? {
        return Ok(());
    }
    for key in keys {
        set(&txn, event.tenant_id, key.name, granted(event, key), event.occurred_at).await?;
    }
    crate::db::commit(txn).await?;
    Ok(())
}

/// The worker that keeps `keys` in step with the tenants' plans, as the
/// bus consumer group `group` (its name is also the dedupe key).
pub fn follower(
    kit: &crate::Kit,
    group: &'static str,
    keys: &'static [Key],
    shutdown: crate::subgraph::Shutdown,
) -> tokio::task::JoinHandle<()> {
    let kit = kit.clone();
    tokio::spawn(async move {
        let member = format!("{group}-{}", Uuid::new_v4());
        crate::bus::consumer::run(&kit, group, &member, shutdown, |event| {
            let db = kit.db.clone();
            async move { follow(&db, group, &event, keys).await }
        })
        .await;
    })
}

/// Stores `grant` for `tenant_id`'s `key` (none: deletes the row).
async fn set(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    grant: Option<Grant>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(grant) = grant else {
        quota::Entity::delete_by_id((tenant_id, key.to_owned())).exec(txn).await?;
        return Ok(());
    };
    let row = quota::ActiveModel {
        tenant_id: Set(tenant_id),
        key: Set(key.to_owned()),
        limit_value: Set(grant.limit),
        hard: Set(grant.hard),
        used: Set(0),
        period_start: Set(month_start(now)),
        noticed_at: Set(None),
        updated_at: Set(Utc::now()),
    };
    quota::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([quota::Column::TenantId, quota::Column::Key])
                .update_columns([quota::Column::LimitValue, quota::Column::Hard, quota::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// What billing grants `tenant_id` for `key`; none: no limit from billing.
pub async fn grant(db: &impl ConnectionTrait, tenant_id: Uuid, key: &str) -> ApiResult<Option<Grant>> {
    let row = quota::Entity::find_by_id((tenant_id, key.to_owned())).one(db).await?;
    Ok(row.map(|r| Grant { limit: r.limit_value, hard: r.hard }))
}

/// Spends `n` of `tenant_id`'s per-month `key` at `now`, in the spend's
/// own transaction (so a spend that fails later gives it back). One
/// conditional UPDATE: concurrent spends never pass a hard limit. A soft
/// limit passed is noticed once a month.
pub async fn spend(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    n: i64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let month = month_start(now);
    if take(txn, tenant_id, key, n, month).await? {
        return notice_monthly(txn, tenant_id, key, now).await;
    }
    let Some(row) = quota::Entity::find_by_id((tenant_id, key.to_owned())).one(txn).await? else {
        return Ok(()); // no limit from billing
    };
    if row.period_start < month {
        quota::Entity::update_many()
            .col_expr(quota::Column::Used, Expr::value(0i64))
            .col_expr(quota::Column::PeriodStart, Expr::value(month))
            .col_expr(quota::Column::NoticedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(quota::Column::TenantId.eq(tenant_id))
            .filter(quota::Column::Key.eq(key))
            .filter(quota::Column::PeriodStart.lt(month))
            .exec(txn)
            .await?;
        if take(txn, tenant_id, key, n, month).await? {
            return notice_monthly(txn, tenant_id, key, now).await;
        }
    }
    let limit = row.limit_value.unwrap_or_default();
    Err(refused(format!(
        "the plan allows {limit} of {key} per month, and this month's are used; the next month starts afresh"
    )))
}

/// The conditional UPDATE: `n` more used if this month's row has room (or
/// no hard limit).
async fn take(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    n: i64,
    month: DateTime<Utc>,
) -> ApiResult<bool> {
    let room = Expr::col(quota::Column::LimitValue)
        .is_null()
        .or(Expr::col(quota::Column::Hard).eq(false))
        .or(Expr::col(quota::Column::Used).add(n).lte(Expr::col(quota::Column::LimitValue)));
    let res = quota::Entity::update_many()
        .col_expr(quota::Column::Used, Expr::col(quota::Column::Used).add(n))
        .filter(quota::Column::TenantId.eq(tenant_id))
        .filter(quota::Column::Key.eq(key))
        .filter(quota::Column::PeriodStart.gte(month))
        .filter(room)
        .exec(txn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks a soft limit passed this month as noticed, and tells the admins,
/// if this spend is the first past it.
async fn notice_monthly(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let marked = quota::Entity::update_many()
        .col_expr(quota::Column::NoticedAt, Expr::value(now))
        .filter(quota::Column::TenantId.eq(tenant_id))
        .filter(quota::Column::Key.eq(key))
        .filter(quota::Column::Hard.eq(false))
        .filter(quota::Column::NoticedAt.is_null())
        .filter(Expr::col(quota::Column::Used).gt(Expr::col(quota::Column::LimitValue)))
        .exec(txn)
        .await?;
    if marked.rows_affected == 1
        && let Some(row) = quota::Entity::find_by_id((tenant_id, key.to_owned())).one(txn).await?
    {
        notify(txn, tenant_id, key, row.limit_value.unwrap_or_default(), row.used, "month").await?;
    }
    Ok(())
}

/// Notes that `tenant_id` has used `used` of its per-month `key` this
/// month, for a subgraph that keeps that count itself under a stricter
/// scheme (the AI gateway's token reservations): passing a soft limit is
/// noticed once a month. Hard limits are the subgraph's own to enforce.
pub async fn observe(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    used: i64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let month = month_start(now);
    let marked = quota::Entity::update_many()
        .col_expr(quota::Column::NoticedAt, Expr::value(now))
        .col_expr(quota::Column::Used, Expr::value(used))
        .col_expr(quota::Column::PeriodStart, Expr::value(month))
        .filter(quota::Column::TenantId.eq(tenant_id))
        .filter(quota::Column::Key.eq(key))
        .filter(quota::Column::Hard.eq(false))
        .filter(quota::Column::LimitValue.lt(used))
        .filter(quota::Column::NoticedAt.is_null().or(quota::Column::NoticedAt.lt(month)))
        .exec(txn)
        .await?;
    if marked.rows_affected == 1
        && let Some(limit) = grant(txn, tenant_id, key).await?.and_then(|g| g.limit)
    {
        notify(txn, tenant_id, key, limit, used, "month").await?;
    }
    Ok(())
}

/// Checks that `tenant_id` may go from `current` to `current + adding` of
/// `key`, a count the subgraph keeps itself (users), in the transaction
/// that adds them (which must serialize such additions per tenant).
/// Passing a soft limit is noticed each time the count crosses it.
pub async fn admit(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    current: i64,
    adding: i64,
) -> ApiResult<()> {
    let Some(Grant { limit: Some(limit), hard }) = grant(txn, tenant_id, key).await? else {
        return Ok(());
    };
    let after = current.saturating_add(adding);
    if after <= limit {
        return Ok(());
    }
    if hard {
        return Err(refused(format!("the plan allows {limit} of {key}; {current} are in use")));
    }
    if current <= limit {
        notify(txn, tenant_id, key, limit, after, "count").await?;
    }
    Ok(())
}

fn refused(message: String) -> ApiError {
    ApiError::Because { code: ErrorCode::BudgetExceeded, reason: REFUSED, message }
}

async fn notify(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    key: &str,
    limit: i64,
    used: i64,
    per: &str,
) -> ApiResult<()> {
    let recipients = crate::recipients::tenant_admins(txn, tenant_id).await?;
    let payload = json!({"key": key, "limit": limit, "used": used, "per": per, "recipientIds": recipients});
    outbox::enqueue(txn, tenant_id, None, SOFT_LIMIT_EXCEEDED, payload).await?;
    Ok(())
}
