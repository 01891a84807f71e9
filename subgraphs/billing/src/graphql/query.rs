//! Queries: the catalogue, for anyone who may read billing.

use async_graphql::{Context, ID, Object, Result};
use subgraph_kit::graphql::allow;

use chrono::{DateTime, Utc};

use super::{
    objects::{BillableMetric, Plan},
    subscription::Tenant,
    usage::MeteredUsage,
};
use crate::domain::{
    catalogue,
    usage::{self, Period},
};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// Every billable metric, by code.
    async fn billable_metrics(&self, ctx: &Context<'_>) -> Result<Vec<BillableMetric>> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::metrics(&a.kit.db).await?.into_iter().map(BillableMetric::from).collect())
    }

    /// The latest version of every plan, by code.
    async fn plans(&self, ctx: &Context<'_>) -> Result<Vec<Plan>> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::plans(&a.kit.db).await?.into_iter().map(Plan::from).collect())
    }

    /// Plan `code` at `version` (the latest when absent).
    async fn plan(&self, ctx: &Context<'_>, code: String, version: Option<i32>) -> Result<Plan> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::plan(&a.kit.db, &code, version).await?.into())
    }

    /// How much of metric `metricCode` the caller's tenant used from
    /// `from` until before `to`, by when the usage happened.
    async fn metered_usage(
        &self,
        ctx: &Context<'_>,
        metric_code: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MeteredUsage> {
        let a = allow(ctx, "billing", "read").await?;
        let period = Period::new(from, to)?;
        let metric = catalogue::metric(&a.kit.db, &metric_code).await?;
        let quantity = usage::quantity(&a.kit.db, a.caller.tenant_id, &metric, period).await?;
        Ok(MeteredUsage { metric: metric.into(), from, to, quantity: quantity.to_string() })
    }

    /// Federation: a tenant, to which billing adds its subscription and
    /// usage.
    #[graphql(entity)]
    async fn find_tenant_by_id(&self, id: ID) -> Tenant {
        Tenant { id }
    }
}
