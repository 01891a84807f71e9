//! Mutations: the platform operator's catalogue.

use async_graphql::{Context, Object, Result};

use super::{
    inputs::{CreateBillableMetricInput, PlanInput},
    objects::{BillableMetric, Plan},
    operator,
};
use crate::domain::catalogue;

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Adds a billable metric (platform operator only).
    async fn create_billable_metric(
        &self,
        ctx: &Context<'_>,
        input: CreateBillableMetricInput,
    ) -> Result<BillableMetric> {
        let kit = operator(ctx)?;
        Ok(catalogue::create_metric(&kit.db, input.try_into()?).await?.into())
    }

    /// Adds plan `code` as its version 1 (platform operator only).
    async fn create_plan(&self, ctx: &Context<'_>, code: String, input: PlanInput) -> Result<Plan> {
        let kit = operator(ctx)?;
        Ok(catalogue::write_plan(&kit.db, &code, input.try_into()?, false).await?.into())
    }

    /// Writes the next version of plan `code`; earlier versions stay as
    /// they were for whoever subscribed to them (platform operator only).
    async fn revise_plan(&self, ctx: &Context<'_>, code: String, input: PlanInput) -> Result<Plan> {
        let kit = operator(ctx)?;
        Ok(catalogue::write_plan(&kit.db, &code, input.try_into()?, true).await?.into())
    }
}
