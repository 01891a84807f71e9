//! The writes every subscription change shares: ending one, its phases
//! opened and closed, its row saved, the change audited and published.

use backbone_entities::billing::{
    phase,
    subscription::{self, SubscriptionStatus},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

use super::subscriptions::{CHANGED, Subscription};

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
