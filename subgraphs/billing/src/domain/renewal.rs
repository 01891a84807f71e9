//! Renewal: a subscription whose period has ended moves to its next one.
//! A change booked for the period's end comes into force, a cancellation
//! booked for it ends the subscription, and a trial that is over makes it
//! active. A subscription that fell several periods behind (the process
//! was down) moves one period at a time, so each closed period stays a
//! period of its own, with its own draft invoice.

use backbone_entities::billing::subscription::{self, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::ApiResult;

use super::{
    catalogue, entitlements, finalization, invoices, periods, subscriptions::Subscription, usage::Period,
    writes,
};

/// Subscriptions renewed per pass, at most.
const PASS: u64 = 200;

/// Closes every period that ended by `now` and marks trials that are
/// over; returns how many periods were closed. Each pass closes one
/// period per subscription, so one that fell behind closes its missed
/// periods one by one over the passes.
pub async fn renew_due(db: &DatabaseConnection, now: DateTime<Utc>, grace: Duration) -> ApiResult<usize> {
    let mut closed = 0;
    loop {
        match pass(db, now, grace).await? {
            0 => return Ok(closed),
            n => closed += n,
        }
    }
}

async fn pass(db: &DatabaseConnection, now: DateTime<Utc>, grace: Duration) -> ApiResult<usize> {
    subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::value(SubscriptionStatus::Active))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Trialing))
        .filter(subscription::Column::TrialEndsAt.lte(now))
        .exec(db)
        .await?;
    let due: Vec<uuid::Uuid> = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::Id)
        .filter(subscription::Column::LiveTenantId.is_not_null())
        .filter(subscription::Column::PeriodEnd.lte(now))
        .order_by_asc(subscription::Column::PeriodEnd)
        .limit(PASS)
        .into_tuple()
        .all(db)
        .await?;
    let mut closed = 0;
    for id in due {
        let txn = db.begin().await?;
        // Locked and read again: another replica may have renewed it.
        let Some(sub) = locked(&txn, id).await? else { continue };
        if sub.row.live_tenant_id.is_none() || sub.row.period_end > now {
            continue;
        }
        close_period(&txn, sub, grace).await?;
        subgraph_kit::db::commit(txn).await?;
        closed += 1;
    }
    Ok(closed)
}

async fn locked(txn: &DatabaseTransaction, id: uuid::Uuid) -> ApiResult<Option<Subscription>> {
    let mut q = subscription::Entity::find_by_id(id);
    if subgraph_kit::db::is_postgres(txn) {
        q = q.lock_exclusive();
    }
    match q.one(txn).await? {
        Some(row) => Ok(Some(writes::with_phases(txn, row).await?)),
        None => Ok(None),
    }
}

/// Drafts the invoice of the current period of `sub`, then starts the
/// next period or ends `sub`.
async fn close_period(txn: &DatabaseTransaction, sub: Subscription, grace: Duration) -> ApiResult<()> {
    let boundary = sub.row.period_end;
    let period = Period { from: sub.row.period_start, to: boundary };
    invoices::draft(txn, &sub, period, period, grace).await?;
    if sub.row.cancel_at_period_end {
        let row = writes::end(txn, &sub, boundary).await?;
        return writes::record(txn, &row, None, "ended", json!({})).await;
    }
    let current = sub.phase_at(boundary - Duration::microseconds(1)).cloned();
    let next = sub.phase_at(boundary).cloned();
    let mut row = sub.row.clone();
    let mut change = "renewed";
    if let (Some(current), Some(next)) = (&current, &next)
        && current.id != next.id
    {
        // A change booked for this boundary comes into force.
        writes::close_phase(txn, current, boundary).await?;
        let (old, new) = (
            catalogue::plan_by_id(txn, current.plan_id).await?,
            catalogue::plan_by_id(txn, next.plan_id).await?,
        );
        if old.plan.interval != new.plan.interval {
            row.anchor_at = boundary;
        }
        let status = format!("{:?}", row.status).to_lowercase();
        entitlements::publish(txn, row.tenant_id, Some(&new.plan), &status).await?;
        row.plan_code = new.plan.code;
        change = "plan_changed";
    }
    let in_force = next.as_ref().map(|p| p.plan_id);
    let interval = match in_force {
        Some(id) => catalogue::plan_by_id(txn, id).await?.plan.interval,
        None => {
            return Err(subgraph_kit::ApiError::Internal(format!(
                "subscription {} has no plan in force",
                row.id
            )));
        }
    };
    row.period_start = boundary;
    row.period_end = periods::period_end(row.anchor_at, interval, boundary);
    if row.trial_ends_at.is_some_and(|t| t <= boundary) {
        row.status = SubscriptionStatus::Active;
    }
    row.updated_at = Utc::now();
    let row = writes::save(txn, row).await?;
    writes::record(txn, &row, None, change, json!({})).await
}

/// Renews due subscriptions, finalizes drafts whose grace is over,
/// charges them to saved cards (with a card processor configured and
/// `auto_collect` on) and runs dunning, every `every` until `shutdown`
/// resolves.
pub async fn run(
    db: DatabaseConnection,
    every: std::time::Duration,
    terms: crate::config::BillingConfig,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let processor = terms.processor();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(error) = renew_due(&db, Utc::now(), terms.grace()).await {
            tracing::warn!(%error, "renewing subscriptions failed; next pass retries");
        }
        if let Err(error) = finalization::finalize_due(&db, Utc::now(), terms.payment_terms()).await {
            tracing::warn!(%error, "finalizing invoices failed; next pass retries");
        }
        if let Some(processor) = processor.as_deref().filter(|_| terms.card.auto_collect) {
            let since = Utc::now() - terms.payment_terms();
            if let Err(error) =
                super::collection::collect_due(&db, processor, since, terms.suspend_after()).await
            {
                tracing::warn!(%error, "collecting invoices by card failed; next pass retries");
            }
        }
        if let Err(error) = super::dunning::run(&db, Utc::now(), terms.suspend_after()).await {
            tracing::warn!(%error, "dunning failed; next pass retries");
        }
    }
}
