//! Token budgets that can never be overspent under concurrency.
//!
//! A call first reserves its worst case — prompt bytes (a token is at least
//! one byte) plus the completion cap — with one conditional UPDATE that
//! succeeds only while `used + reserved + n <= limit`. The database applies
//! concurrent UPDATEs of one row one after another, so no interleaving lets
//! two calls both take the last tokens. After the call, the reservation is
//! released and the real usage charged.

use backbone_entities::ai::budget;
use chrono::{Datelike, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

fn month_start() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0).single().unwrap_or(now)
}

/// The tenant's budget row, created with `default_limit` when missing.
pub async fn ensure(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    default_limit: i64,
) -> ApiResult<budget::Model> {
    budget::Entity::insert(budget::ActiveModel {
        tenant_id: Set(tenant_id),
        limit_tokens: Set(default_limit),
        used_tokens: Set(0),
        reserved_tokens: Set(0),
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

/// Sets the limit.
pub async fn set_limit(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    limit: i64,
    default_limit: i64,
) -> ApiResult<budget::Model> {
    if limit < 0 {
        return Err(ApiError::bad_input("limitTokens", "must not be negative"));
    }
    ensure(db, tenant_id, default_limit).await?;
    budget::Entity::update_many()
        .col_expr(budget::Column::LimitTokens, Expr::value(limit))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .exec(db)
        .await?;
    ensure(db, tenant_id, default_limit).await
}

/// Reserves `n` tokens, or `BUDGET_EXCEEDED`.
pub async fn reserve(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    n: i64,
    default_limit: i64,
) -> ApiResult<()> {
    ensure(db, tenant_id, default_limit).await?;
    let res = budget::Entity::update_many()
        .col_expr(budget::Column::ReservedTokens, Expr::col(budget::Column::ReservedTokens).add(n))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .filter(
            Expr::col(budget::Column::UsedTokens)
                .add(Expr::col(budget::Column::ReservedTokens))
                .add(n)
                .lte(Expr::col(budget::Column::LimitTokens)),
        )
        .exec(db)
        .await?;
    if res.rows_affected == 1 {
        Ok(())
    } else {
        Err(ApiError::Coded {
            code: backbone_schema::ErrorCode::BudgetExceeded,
            message: format!(
                "the tenant's AI token budget cannot cover this call ({n} tokens reserved at most)"
            ),
        })
    }
}

/// Releases a reservation of `reserved` and charges `used`.
pub async fn settle(db: &impl ConnectionTrait, tenant_id: Uuid, reserved: i64, used: i64) -> ApiResult<()> {
    budget::Entity::update_many()
        .col_expr(budget::Column::ReservedTokens, Expr::col(budget::Column::ReservedTokens).sub(reserved))
        .col_expr(budget::Column::UsedTokens, Expr::col(budget::Column::UsedTokens).add(used))
        .col_expr(budget::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(budget::Column::TenantId.eq(tenant_id))
        .exec(db)
        .await?;
    Ok(())
}
