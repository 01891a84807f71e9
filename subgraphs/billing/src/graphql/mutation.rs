//! Mutations: the platform operator's catalogue and subscriptions, and
//! products' usage.

use async_graphql::{Context, ID, MergedObject, Object, Result};
use chrono::Utc;
use subgraph_kit::{context::AuthExt, graphql::allow};

use super::{
    inputs::{CreateBillableMetricInput, PlanInput},
    objects::{BillableMetric, Plan},
    operator, settings,
    subscription::{BillingSubscription, SubscriptionTiming},
    usage::{UsageEventInput, UsageEventReceipt},
};
use crate::domain::{catalogue, ingest, subscriptions};

/// Mutation root: the catalogue, subscriptions and usage here; invoices,
/// profiles, taxes and credits in [`super::money`].
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(CoreMutation, super::money::MoneyMutation);

/// The catalogue, subscriptions and usage.
#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
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

    /// Records a product's usage events for the caller's tenant (at most
    /// 1000 per call), each counted once per id by every metric of its
    /// type; one receipt per event, in the order sent.
    async fn record_usage(
        &self,
        ctx: &Context<'_>,
        events: Vec<UsageEventInput>,
    ) -> Result<Vec<UsageEventReceipt>> {
        let a = allow(ctx, "billing", "record_usage").await?;
        let events = events.into_iter().map(Into::into).collect();
        let receipts = ingest::from_api(&a.kit.db, a.caller.tenant_id, a.caller.user_id, events).await?;
        Ok(receipts.into_iter().map(Into::into).collect())
    }

    /// Subscribes tenant `tenantId` to the latest version of plan
    /// `planCode`, from now (platform operator only).
    async fn subscribe_tenant(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        plan_code: String,
    ) -> Result<BillingSubscription> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(subscriptions::subscribe(&kit.db, tenant, actor, &plan_code, Utc::now()).await?.into())
    }

    /// Moves tenant `tenantId` to the latest version of plan `planCode`,
    /// `timing` saying when (the configured `billing.plan_change` when
    /// absent) (platform operator only).
    async fn change_subscription_plan(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        plan_code: String,
        timing: Option<SubscriptionTiming>,
    ) -> Result<BillingSubscription> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        let timing = match timing {
            Some(t) => t.into(),
            None => settings(ctx)?.plan_change,
        };
        let actor = Some(ctx.caller()?.user_id);
        Ok(subscriptions::change_plan(&kit.db, tenant, actor, &plan_code, timing, Utc::now()).await?.into())
    }

    /// Cancels tenant `tenantId`'s subscription now or at the period's end
    /// (platform operator only).
    async fn cancel_subscription(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        timing: SubscriptionTiming,
    ) -> Result<BillingSubscription> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        let actor = Some(ctx.caller()?.user_id);
        let grace = settings(ctx)?.grace();
        Ok(subscriptions::cancel(&kit.db, tenant, actor, timing.into(), Utc::now(), grace).await?.into())
    }

    /// Takes back a cancellation booked for the period's end (platform
    /// operator only).
    async fn resume_subscription(&self, ctx: &Context<'_>, tenant_id: ID) -> Result<BillingSubscription> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(subscriptions::resume(&kit.db, tenant, actor, Utc::now()).await?.into())
    }
}
