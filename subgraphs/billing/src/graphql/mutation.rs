//! Mutations: the platform operator's catalogue and subscriptions, and
//! products' usage.

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use subgraph_kit::{context::AuthExt, graphql::allow, subgraph::Subgraph};

use super::{
    decimal,
    inputs::{CreateBillableMetricInput, PlanInput},
    invoices::{BillingProfile, BillingProfileInput, Invoice, TaxRate, TaxRateInput},
    objects::{BillableMetric, Plan},
    operator,
    subscription::{BillingSubscription, SubscriptionTiming},
    usage::{UsageEventInput, UsageEventReceipt},
};
use crate::{
    Billing,
    domain::{
        catalogue,
        customers::{self, NewRate},
        finalization, ingest, invoices, subscriptions,
    },
};

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
        let timing = timing.map_or_else(|| Billing::settings(kit).plan_change, Into::into);
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
        let grace = Billing::settings(kit).grace();
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

    /// Sets parts of tenant `tenantId`'s billing profile: its country and
    /// region (which tax applies), its invoice prefix (platform operator
    /// only).
    async fn set_billing_profile(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        input: BillingProfileInput,
    ) -> Result<BillingProfile> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        Ok(customers::set_profile(&kit.db, tenant, input.into()).await?.into())
    }

    /// Sets the tax rate of a country or a region of it; invoices already
    /// computed keep theirs (platform operator only).
    async fn set_tax_rate(&self, ctx: &Context<'_>, input: TaxRateInput) -> Result<TaxRate> {
        let kit = operator(ctx)?;
        let rate = NewRate {
            rate: decimal("rate", &input.rate)?,
            country: input.country,
            region: input.region,
            name: input.name,
            inclusive: input.inclusive,
        };
        Ok(customers::set_tax_rate(&kit.db, rate).await?.into())
    }

    /// Recomputes draft invoice `id` from the usage and tax as they are
    /// now (platform operator only).
    async fn refresh_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        Ok(Invoice::of(invoices::refresh(&kit.db, invoice_id(&id)?).await?)?)
    }

    /// Adds a correction to draft invoice `id`: `amount` in the invoice's
    /// currency, negative to take off (platform operator only).
    async fn add_invoice_adjustment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        description: String,
        amount: String,
    ) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let amount = decimal("amount", &amount)?;
        Ok(Invoice::of(invoices::adjust(&kit.db, invoice_id(&id)?, &description, amount).await?)?)
    }

    /// Finalizes draft invoice `id` now, before its grace period ends
    /// (platform operator only).
    async fn finalize_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(Invoice::of(finalization::finalize(&kit.db, invoice_id(&id)?, actor).await?)?)
    }

    /// Marks finalized invoice `id` paid (platform operator only).
    async fn mark_invoice_paid(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(Invoice::of(finalization::mark_paid(&kit.db, invoice_id(&id)?, actor).await?)?)
    }

    /// Voids finalized invoice `id`; it keeps its number (platform
    /// operator only).
    async fn void_invoice(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(Invoice::of(finalization::void(&kit.db, invoice_id(&id)?, actor, &reason).await?)?)
    }
}

fn invoice_id(id: &ID) -> subgraph_kit::ApiResult<uuid::Uuid> {
    id.parse().map_err(|_| subgraph_kit::ApiError::NotFound(format!("no invoice {}", id.as_str())))
}
