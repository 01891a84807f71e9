//! Queries: the catalogue, for anyone who may read billing.

use async_graphql::{Context, Object, Result};
use subgraph_kit::graphql::allow;

use super::objects::{BillableMetric, Plan};
use crate::domain::catalogue;

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
}
