//! Token budgets that can never be overspent under concurrency.
//!
//! A call first reserves its worst case — prompt bytes (a token is at least
//! one byte) plus the completion cap — with one conditional UPDATE that
//! succeeds only while `used + reserved + n <= limit`. The database applies
//! concurrent UPDATEs of one row one after another, so no interleaving lets
//! two calls both take the last tokens. After the call, the reservation is
//! released and the real usage charged. A budget is per calendar month
//! (UTC): the first reservation of a new month starts it again.

use backbone_entities::{ai::budget, tenancy::tenant};
use backbone_schema::{EventEnvelope, event_types};
use chrono::{Datelike, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

fn month_start() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0).single().unwrap_or(now)
}

/// The tenant's budget row. A missing one is created with the budget the
/// tenant was provisioned with (`tenants.ai_token_budget`), or
/// `default_limit` for a tenant the tenancy tables do not know.
pub async fn ensure(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    default_limit: i64,
) -> ApiResult<budget::Model> {
    if let Some(row) = budget::Entity::find_by_id(tenant_id).one(db).await? {
        return Ok(row);
    }
    let provisioned = tenant::Entity::find_by_id(tenant_id).one(db).await?.map(|t| t.ai_token_budget);
    budget::Entity::insert(budget::ActiveModel {
        tenant_id: Set(tenant_id),
        limit_tokens: Set(provisioned.unwrap_or(default_limit)),
        used_tokens: Set(0),
        reserved_tokens: Set(0),
        overrun_tokens: Set(0),
        period_start: Set(month_start()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::column(budget::Column::TenantId).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    budget::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal("budget row vanished".into()))
}

/// The tenant's budget as this calendar month sees it: a row last changed
/// in an earlier month shows nothing spent (and no overrun) until this
/// month's first reservation starts it again. What `Tenant.aiUsage`
/// reads.
pub async fn current(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    default_limit: i64,
) -> ApiResult<budget::Model> {
    let mut row = ensure(db, tenant_id, default_limit).await?;
    let month = month_start();
    if row.period_start < month {
        row.used_tokens = 0;
        row.overrun_tokens = 0;
        row.period_start = month;
    }
    Ok(row)
}

/// The consumer group that keeps budgets in step with their tenants.
pub const CONSUMER: &str = "ai.budgets";

/// The entitlement of billing's plans that is this budget.
pub const ENTITLEMENT: &str = "ai.tokens_per_month";

/// A soft entitlement lets calls through: the budget's limit is then
/// this (no refusal in practice; billing notes the overrun).
const UNLIMITED: i64 = i64::MAX / 4;

/// The limit an event sets, if it sets one: `tenant.updated` with an
/// `aiTokenBudget` (the platform's own setting), or
/// `billing.entitlements_changed` (the tenant's plan: its
/// `ai.tokens_per_month`, hard or soft; none granted, or no plan, is 0).
fn limit_in(event: &EventEnvelope) -> Option<i64> {
    match event.event_type.as_str() {
        event_types::TENANT_UPDATED => event.payload["data"]["aiTokenBudget"].as_i64(),
        event_types::ENTITLEMENTS_CHANGED => {
            let grants = event.payload["entitlements"].as_array()?;
            let grant = grants.iter().find(|g| g["key"] == ENTITLEMENT);
            Some(match grant {
                None => 0,
                Some(g) if g["hard"] == false => UNLIMITED,
                Some(g) => g["limit"].as_i64().unwrap_or(UNLIMITED),
            })
        }
        _ => None,
    }
}

/// A soft grant of [`ENTITLEMENT`] passed this month is noticed once (to
/// the tenant's admins, through [`subgraph_kit::quota`], which keeps the
/// soft limit: the budget's own limit is lifted for it).
pub async fn notice_soft(txn: &DatabaseTransaction, tenant_id: Uuid) -> ApiResult<()> {
    let Some(row) = budget::Entity::find_by_id(tenant_id).one(txn).await? else { return Ok(()) };
    if row.limit_tokens != UNLIMITED {
        return Ok(());
    }
    subgraph_kit::quota::observe(txn, tenant_id, ENTITLEMENT, row.used_tokens, Utc::now()).await
}

/// The consumer key under which [`follow`] keeps the plan's grant of
/// [`ENTITLEMENT`] (its soft limit) in `entitlement_quotas`.
const QUOTA_CONSUMER: &str = "ai.budgets.quota";

/// Follows the platform's changes to a tenant's AI budget: an
/// `aiTokenBudget` set on the tenant, or the tokens the tenant's billing
/// plan grants (see [`limit_in`]); that becomes the limit the gateway
/// enforces (as [`set_limit`] does). Once per event, whatever the
/// redeliveries.
pub async fn follow(db: &DatabaseConnection, event: &EventEnvelope, default_limit: i64) -> ApiResult<()> {
    let key = subgraph_kit::quota::Key {
        name: ENTITLEMENT,
        without_grant: subgraph_kit::quota::WithoutGrant::Nothing,
    };
    subgraph_kit::quota::follow(db, QUOTA_CONSUMER, event, &[key]).await?;
    let Some(limit) = limit_in(event) else { return Ok(()) };
    let txn = db.begin().await?;
    if subgraph_kit::consumed::first_time(&txn, CONSUMER, event.id).await? {
        set_limit(&txn, event.tenant_id, limit, default_limit).await?;
        subgraph_kit::db::commit(txn).await?;
    }
    Ok(())
}

/// Sets the limit of an existing tenant and clears a recorded overrun.
pub async fn set_limit(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    limit: i64,
    default_limit: i64,
) -> ApiResult<budget::Model> {
    if limit < 0 {
        return Err(ApiError::bad_input("limitTokens", "must not be negative"));
    }
    if tenant::Entity::find_by_id(tenant_id).one(db).await?.is_none() {
        return Err(ApiError::NotFound("no such tenant".into()));
    }
    ensure(db, tenant_id, default_limit).await?;
    budget::Entity::update_many()
        .col_expr(budget::Column::LimitTokens, Expr::value(limit))
        .col_expr(budget::Column::OverrunTokens, Expr::value(0i64))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .exec(db)
        .await?;
    ensure(db, tenant_id, default_limit).await
}

/// Reserves `n` tokens of this calendar month's budget, or
/// `BUDGET_EXCEEDED`. One conditional UPDATE when the tenant's row is of
/// this month (the request path); when it is not, the row is created or
/// started again for the new month (spent tokens and a recorded overrun
/// belong to the month they happened in) and the UPDATE tried once more.
pub async fn reserve(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    n: i64,
    default_limit: i64,
) -> ApiResult<()> {
    let month = month_start();
    if take(db, tenant_id, n, month).await? {
        return Ok(());
    }
    ensure(db, tenant_id, default_limit).await?;
    budget::Entity::update_many()
        .col_expr(budget::Column::UsedTokens, Expr::value(0i64))
        .col_expr(budget::Column::OverrunTokens, Expr::value(0i64))
        .col_expr(budget::Column::PeriodStart, Expr::value(month))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .filter(budget::Column::PeriodStart.lt(month))
        .exec(db)
        .await?;
    if take(db, tenant_id, n, month).await? {
        return Ok(());
    }
    metrics::counter!("backbone_ai_budget_refusals_total").increment(1);
    Err(ApiError::Coded {
        code: backbone_schema::ErrorCode::BudgetExceeded,
        message: format!("the tenant's AI token budget cannot cover this call ({n} tokens reserved at most)"),
    })
}

/// The conditional UPDATE: `n` more reserved if this month's row has room.
async fn take(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    n: i64,
    month: chrono::DateTime<Utc>,
) -> ApiResult<bool> {
    let res = budget::Entity::update_many()
        .col_expr(budget::Column::ReservedTokens, Expr::col(budget::Column::ReservedTokens).add(n))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .filter(budget::Column::PeriodStart.gte(month))
        .filter(budget::Column::OverrunTokens.eq(0))
        .filter(
            Expr::col(budget::Column::UsedTokens)
                .add(Expr::col(budget::Column::ReservedTokens))
                .add(n)
                .lte(Expr::col(budget::Column::LimitTokens)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Releases a reservation of `reserved` and charges `used`; returns the
/// tokens reported beyond the reservation (0 normally).
///
/// A call that reports no more than it reserved is charged in full, which
/// keeps `used + reserved <= limit`. One that reports more (a provider
/// ignoring `max_tokens`, or counting differently) is charged as far as the
/// limit less the other calls' reservations allows and no further, so the
/// charged total never passes the limit; the excess is kept in
/// `overrun_tokens`, which stops further reservations until a platform admin
/// sets the budget again. The caller records the incident.
pub async fn settle(db: &impl ConnectionTrait, tenant_id: Uuid, reserved: i64, used: i64) -> ApiResult<i64> {
    metrics::counter!("backbone_ai_tokens_total").increment(u64::try_from(used).unwrap_or(0));
    let over = Ord::max(used - reserved, 0);
    let mut update = budget::Entity::update_many()
        .col_expr(budget::Column::ReservedTokens, Expr::col(budget::Column::ReservedTokens).sub(reserved))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id));
    update = if over == 0 {
        update.col_expr(budget::Column::UsedTokens, Expr::col(budget::Column::UsedTokens).add(used))
    } else {
        let room = Expr::col(budget::Column::LimitTokens)
            .sub(Expr::col(budget::Column::ReservedTokens).sub(reserved));
        let wanted = Expr::col(budget::Column::UsedTokens).add(used);
        update
            .col_expr(
                budget::Column::UsedTokens,
                Expr::case(wanted.clone().gt(room.clone()), room).finally(wanted).into(),
            )
            .col_expr(budget::Column::OverrunTokens, Expr::col(budget::Column::OverrunTokens).add(over))
    };
    update.exec(db).await?;
    Ok(over)
}
