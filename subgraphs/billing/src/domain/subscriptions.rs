//! Subscriptions: a customer tenant on a plan, at most one live at a time.
//! Its phases say which plan version was in force when; a plan change
//! closes the current phase now or books the next one for the period's
//! end, as the caller says (never guessed from prices). Every change is
//! audited and published as [`CHANGED`].

use backbone_entities::{
    billing::subscription::{self, SubscriptionStatus},
    tenancy::tenant,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, SqlErr, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

pub use super::writes::{CHANGED, Subscription, live};
use super::{
    catalogue::{self, Plan},
    entitlements, invoices, periods,
    usage::Period,
    writes,
};

/// When a plan change or a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Now: the period is split, each plan's fee charged for its part.
    Immediately,
    /// When the current period ends.
    AtPeriodEnd,
}

/// The tenant's live subscription and the plan version in force now.
pub async fn plan_in_force(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> ApiResult<Option<(Subscription, Plan)>> {
    let Some(sub) = live(db, tenant_id).await? else { return Ok(None) };
    let at = Utc::now().min(sub.row.period_end - Duration::microseconds(1));
    let Some(phase) = sub.phase_at(at) else { return Ok(None) };
    let plan = catalogue::plan_by_id(db, phase.plan_id).await?;
    Ok(Some((sub, plan)))
}

/// The customer tenant `id` names (a platform operator's argument):
/// NOT_FOUND unless such a tenant exists.
pub async fn customer(db: &impl ConnectionTrait, id: &str) -> ApiResult<Uuid> {
    let not_found = || ApiError::NotFound(format!("no tenant {id}"));
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    tenant::Entity::find_by_id(id).one(db).await?.map(|t| t.id).ok_or_else(not_found)
}

/// Subscribes `tenant_id` to the latest version of plan `plan_code` from
/// `now`: a trial first when the plan has one, periods counted from now.
pub async fn subscribe(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    plan_code: &str,
    now: DateTime<Utc>,
) -> ApiResult<Subscription> {
    let plan = catalogue::plan(db, plan_code, None).await?;
    let txn = db.begin().await?;
    if live(&txn, tenant_id).await?.is_some() {
        return Err(already_subscribed());
    }
    let trial_ends_at =
        (plan.plan.trial_days > 0).then(|| now + Duration::days(i64::from(plan.plan.trial_days)));
    let row = subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        live_tenant_id: Set(Some(tenant_id)),
        plan_code: Set(plan.plan.code.clone()),
        status: Set(if trial_ends_at.is_some() {
            SubscriptionStatus::Trialing
        } else {
            SubscriptionStatus::Active
        }),
        started_at: Set(now),
        trial_ends_at: Set(trial_ends_at),
        anchor_at: Set(now),
        period_start: Set(now),
        period_end: Set(periods::period_end(now, plan.plan.interval, now)),
        cancel_at_period_end: Set(false),
        ended_at: Set(None),
        suspended_at: Set(None),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => already_subscribed(),
        _ => e.into(),
    })?;
    writes::open_phase(&txn, &row, plan.plan.id, now).await?;
    let status = if trial_ends_at.is_some() { "trialing" } else { "active" };
    entitlements::publish(&txn, tenant_id, Some(&plan.plan), status).await?;
    writes::record(&txn, &row, actor, "subscribed", json!({"planVersion": plan.plan.version})).await?;
    finish(txn, row).await
}

fn already_subscribed() -> ApiError {
    ApiError::conflict("ALREADY_SUBSCRIBED", "the tenant has a live subscription; change its plan instead")
}

/// Moves the tenant's subscription to the latest version of `plan_code`,
/// now or at the period's end. A change keeps the currency; a change of
/// interval (monthly to yearly) takes effect at the period's end only.
/// Booking a change replaces one booked before; booking the plan already
/// in force at the period's end drops it.
pub async fn change_plan(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    plan_code: &str,
    timing: Timing,
    now: DateTime<Utc>,
) -> ApiResult<Subscription> {
    let new = catalogue::plan(db, plan_code, None).await?;
    let txn = db.begin().await?;
    let sub = live(&txn, tenant_id).await?.ok_or_else(no_subscription)?;
    if sub.row.cancel_at_period_end {
        return Err(ApiError::conflict(
            "ENDING",
            "the subscription ends at the period's end; resume it first",
        ));
    }
    let current = sub.phase_at(now).cloned().ok_or_else(|| ApiError::Internal("no phase in force".into()))?;
    let old = catalogue::plan_by_id(&txn, current.plan_id).await?;
    if new.plan.currency != old.plan.currency {
        return Err(ApiError::bad_input(
            "planCode",
            format!("a plan change keeps the currency ({} → {})", old.plan.currency, new.plan.currency),
        ));
    }
    writes::drop_scheduled(&txn, &sub, now).await?;
    let mut row = sub.row.clone();
    match timing {
        Timing::Immediately => {
            if new.plan.id == current.plan_id {
                return Err(ApiError::bad_input(
                    "planCode",
                    "the subscription is on this plan version already",
                ));
            }
            if new.plan.interval != old.plan.interval {
                return Err(ApiError::bad_input(
                    "timing",
                    "a change of billing interval takes effect at the period's end",
                ));
            }
            writes::close_phase(&txn, &current, now).await?;
            writes::open_phase(&txn, &row, new.plan.id, now).await?;
            let status = format!("{:?}", row.status).to_lowercase();
            entitlements::publish(&txn, tenant_id, Some(&new.plan), &status).await?;
            row.plan_code = new.plan.code.clone();
        }
        Timing::AtPeriodEnd if new.plan.id != current.plan_id => {
            writes::open_phase(&txn, &row, new.plan.id, row.period_end).await?;
        }
        Timing::AtPeriodEnd => {}
    }
    row.updated_at = now;
    let row = writes::save(&txn, row).await?;
    let data = json!({"planVersion": new.plan.version, "timing": format!("{timing:?}")});
    writes::record(&txn, &row, actor, "plan_changed", data).await?;
    finish(txn, row).await
}

/// Cancels the tenant's subscription now (its last invoice drafted for
/// the part of the period it ran) or at the period's end (which also
/// drops a booked plan change).
pub async fn cancel(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    timing: Timing,
    now: DateTime<Utc>,
    grace: Duration,
) -> ApiResult<Subscription> {
    let txn = db.begin().await?;
    let sub = live(&txn, tenant_id).await?.ok_or_else(no_subscription)?;
    writes::drop_scheduled(&txn, &sub, now).await?;
    let row = match timing {
        Timing::Immediately => {
            if now > sub.row.period_start {
                let full = Period { from: sub.row.period_start, to: sub.row.period_end };
                invoices::draft(&txn, &sub, full, Period { from: full.from, to: now }, grace).await?;
            }
            writes::end(&txn, &sub, now).await?
        }
        Timing::AtPeriodEnd => {
            let mut row = sub.row.clone();
            row.cancel_at_period_end = true;
            row.updated_at = now;
            writes::save(&txn, row).await?
        }
    };
    writes::record(&txn, &row, actor, "canceled", json!({"timing": format!("{timing:?}")})).await?;
    finish(txn, row).await
}

/// Takes back a cancellation booked for the period's end.
pub async fn resume(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> ApiResult<Subscription> {
    let txn = db.begin().await?;
    let sub = live(&txn, tenant_id).await?.ok_or_else(no_subscription)?;
    let mut row = sub.row;
    row.cancel_at_period_end = false;
    row.updated_at = now;
    let row = writes::save(&txn, row).await?;
    writes::record(&txn, &row, actor, "resumed", json!({})).await?;
    finish(txn, row).await
}

fn no_subscription() -> ApiError {
    ApiError::NotFound("the tenant has no live subscription".into())
}

async fn finish(txn: DatabaseTransaction, row: subscription::Model) -> ApiResult<Subscription> {
    let sub = writes::with_phases(&txn, row).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(sub)
}
