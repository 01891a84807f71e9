//! A subscription as stored (its row and its phases), how it is loaded,
//! and the writes every change of it shares: ending one, its phases
//! opened and closed, its row saved, the change audited and published.

use backbone_entities::billing::{
    phase,
    subscription::{self, SubscriptionStatus},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

/// The event every change of a subscription publishes.
pub const CHANGED: &str = "billing.subscription_changed";

/// A subscription with its phases, oldest first.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// Its row.
    pub row: subscription::Model,
    /// Its phases.
    pub phases: Vec<phase::Model>,
}

impl Subscription {
    /// The phase in force at `at`.
    pub fn phase_at(&self, at: DateTime<Utc>) -> Option<&phase::Model> {
        self.phases.iter().rev().find(|p| p.starts_at <= at && p.ends_at.is_none_or(|end| end > at))
    }

    /// A plan change booked for after `now`.
    pub fn scheduled(&self, now: DateTime<Utc>) -> Option<&phase::Model> {
        self.phases.iter().find(|p| p.starts_at > now)
    }
}

/// The tenant's live subscription, with its row locked on Postgres.
pub async fn live(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Option<Subscription>> {
    let mut q = subscription::Entity::find().filter(subscription::Column::LiveTenantId.eq(tenant_id));
    if subgraph_kit::db::is_postgres(db) {
        q = q.lock_exclusive();
    }
    match q.one(db).await? {
        Some(row) => Ok(Some(with_phases(db, row).await?)),
        None => Ok(None),
    }
}

/// Subscription `id`, live or ended.
pub(crate) async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Subscription> {
    let row = subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("subscription {id} is gone")))?;
    with_phases(db, row).await
}

pub(crate) async fn with_phases(
    db: &impl ConnectionTrait,
    row: subscription::Model,
) -> ApiResult<Subscription> {
    let phases = phase::Entity::find()
        .filter(phase::Column::SubscriptionId.eq(row.id))
        .order_by_asc(phase::Column::StartsAt)
        .order_by_asc(phase::Column::Id)
        .all(db)
        .await?;
    Ok(Subscription { row, phases })
}

/// Ends `sub` at `at`: its phase closes, booked changes go, its
/// entitlements are withdrawn, and the tenant may subscribe again.
pub(crate) async fn end(
    txn: &DatabaseTransaction,
    sub: &Subscription,
    at: DateTime<Utc>,
) -> ApiResult<subscription::Model> {
    if let Some(current) = sub.phase_at(at - Duration::microseconds(1)) {
        close_phase(txn, current, at).await?;
    }
    phase::Entity::delete_many()
        .filter(phase::Column::SubscriptionId.eq(sub.row.id))
        .filter(phase::Column::StartsAt.gte(at))
        .exec(txn)
        .await?;
    let mut row = sub.row.clone();
    row.status = SubscriptionStatus::Canceled;
    row.live_tenant_id = None;
    row.ended_at = Some(at);
    row.period_end = at.max(row.period_start);
    row.cancel_at_period_end = false;
    row.updated_at = Utc::now();
    super::entitlements::publish(txn, row.tenant_id, None, "canceled").await?;
    save(txn, row).await
}

pub(crate) async fn drop_scheduled(
    txn: &DatabaseTransaction,
    sub: &Subscription,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(p) = sub.scheduled(now) {
        phase::Entity::delete_by_id(p.id).exec(txn).await?;
    }
    Ok(())
}

pub(crate) async fn open_phase(
    txn: &DatabaseTransaction,
    sub: &subscription::Model,
    plan_id: Uuid,
    from: DateTime<Utc>,
) -> ApiResult<phase::Model> {
    Ok(phase::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(sub.tenant_id),
        subscription_id: Set(sub.id),
        plan_id: Set(plan_id),
        starts_at: Set(from),
        ends_at: Set(None),
    }
    .insert(txn)
    .await?)
}

pub(crate) async fn close_phase(
    txn: &DatabaseTransaction,
    p: &phase::Model,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let mut active = p.clone().into_active_model();
    active.ends_at = Set(Some(at));
    active.update(txn).await?;
    Ok(())
}

pub(crate) async fn save(
    txn: &DatabaseTransaction,
    row: subscription::Model,
) -> ApiResult<subscription::Model> {
    Ok(subscription::ActiveModel::from(row).reset_all().update(txn).await?)
}

/// Audits a change and publishes [`CHANGED`] with the subscription's state.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    row: &subscription::Model,
    actor: Option<Uuid>,
    change: &str,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let mut data = json!({
        "subscriptionId": row.id, "change": change, "planCode": row.plan_code,
        "status": format!("{:?}", row.status).to_lowercase(), "periodStart": row.period_start,
        "periodEnd": row.period_end, "cancelAtPeriodEnd": row.cancel_at_period_end,
    });
    if let (Some(d), Some(extra)) = (data.as_object_mut(), detail.as_object()) {
        d.extend(extra.clone());
    }
    let entry = AuditEntry {
        event_type: CHANGED,
        resource_type: "billing_subscription",
        resource_id: row.id.to_string(),
        data: data.clone(),
    };
    audit::append(txn, row.tenant_id, actor, entry).await?;
    outbox::enqueue(txn, row.tenant_id, actor, CHANGED, data).await?;
    Ok(())
}
