//! How much of a metric a tenant used in a period: the readings whose
//! usage happened in it, added up by the metric's aggregation. A period
//! is `[from, to)` in UTC, so an event that arrives late still counts in
//! the period it happened in.

use std::str::FromStr;

use backbone_entities::billing::{
    metric::{self, Aggregation},
    usage,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use subgraph_kit::{ApiError, ApiResult};

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First instant in it.
    pub from: DateTime<Utc>,
    /// First instant after it.
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period, or BAD_USER_INPUT when it ends before it starts.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<Self> {
        if to <= from {
            return Err(ApiError::bad_input("to", "a period ends after it starts"));
        }
        Ok(Self { from, to })
    }
}

/// The quantity `tenant_id` used of `metric` in `period`: how many events
/// (count), their sum, the largest value (max), how many distinct values
/// (unique count) or the value of the last event (latest); zero when none.
pub async fn quantity(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    metric: &metric::Model,
    period: Period,
) -> ApiResult<Decimal> {
    let rows = || {
        usage::Entity::find()
            .filter(usage::Column::TenantId.eq(tenant_id))
            .filter(usage::Column::MetricId.eq(metric.id))
            .filter(usage::Column::OccurredAt.gte(period.from))
            .filter(usage::Column::OccurredAt.lt(period.to))
    };
    Ok(match metric.aggregation {
        Aggregation::Count => Decimal::from(rows().count(db).await?),
        Aggregation::UniqueCount => {
            let distinct: Option<i64> = rows()
                .select_only()
                .column_as(Expr::col(usage::Column::DistinctKey).count_distinct(), "n")
                .into_tuple()
                .one(db)
                .await?;
            Decimal::from(distinct.unwrap_or(0))
        }
        Aggregation::Latest => {
            let last: Option<String> = rows()
                .select_only()
                .column(usage::Column::Quantity)
                .order_by_desc(usage::Column::OccurredAt)
                .order_by_desc(usage::Column::EventId)
                .into_tuple()
                .one(db)
                .await?;
            last.as_deref().map(parse).transpose()?.unwrap_or_default()
        }
        Aggregation::Sum | Aggregation::Max => {
            let values: Vec<String> =
                rows().select_only().column(usage::Column::Quantity).into_tuple().all(db).await?;
            let mut total = Decimal::ZERO;
            for v in &values {
                let q = parse(v)?;
                total = if metric.aggregation == Aggregation::Sum {
                    total.checked_add(q).ok_or_else(|| ApiError::Internal("usage overflows".into()))?
                } else {
                    total.max(q)
                };
            }
            total
        }
    }
    .normalize())
}

fn parse(stored: &str) -> ApiResult<Decimal> {
    Decimal::from_str(stored).map_err(|e| ApiError::Internal(format!("stored quantity {stored:?}: {e}")))
}
