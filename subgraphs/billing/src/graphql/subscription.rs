//! API types of subscriptions, and the federated `Tenant` billing adds
//! `subscription` and `usage` to.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use backbone_entities::billing::subscription::SubscriptionStatus as Stored;
use chrono::{DateTime, Utc};
use subgraph_kit::{ApiError, graphql::allow};

use super::{
    objects::{EntitlementGrant, Plan},
    usage::MeteredUsage,
};
use crate::domain::{
    catalogue, entitlements,
    subscriptions::{self, Subscription, Timing},
    usage::{self, Period},
};

subgraph_kit::mirror_enum!(
    /// Where a subscription is in its life.
    SubscriptionStatus = Stored {
        /// In its free trial: the fee is not charged yet.
        Trialing,
        /// Running and billed.
        Active,
        /// Ended.
        Canceled,
    }
);

/// When a plan change or a cancellation takes effect.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionTiming {
    /// Now: the period is split, each plan's fee charged for its part.
    Immediately,
    /// When the current period ends.
    AtPeriodEnd,
}

impl From<SubscriptionTiming> for Timing {
    fn from(t: SubscriptionTiming) -> Self {
        match t {
            SubscriptionTiming::Immediately => Timing::Immediately,
            SubscriptionTiming::AtPeriodEnd => Timing::AtPeriodEnd,
        }
    }
}

/// A customer tenant's subscription to a plan.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct BillingSubscription {
    /// Id.
    pub id: ID,
    /// Where it is in its life.
    pub status: SubscriptionStatus,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When its trial ends.
    pub trial_ends_at: Option<DateTime<Utc>>,
    /// The current period's first instant.
    pub current_period_start: DateTime<Utc>,
    /// The current period's end: when it renews (or ends).
    pub current_period_end: DateTime<Utc>,
    /// It ends at the period's end instead of renewing.
    pub cancel_at_period_end: bool,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    plan_id: Option<uuid::Uuid>,
    #[graphql(skip)]
    scheduled: Option<(uuid::Uuid, DateTime<Utc>)>,
}

impl From<Subscription> for BillingSubscription {
    fn from(s: Subscription) -> Self {
        let now = Utc::now().max(s.row.period_start);
        let at = s.row.ended_at.map_or(now, |end| end - chrono::Duration::microseconds(1));
        let plan_id = s.phase_at(at).map(|p| p.plan_id);
        let scheduled = s.scheduled(now).map(|p| (p.plan_id, p.starts_at));
        let r = s.row;
        Self {
            id: ID(r.id.to_string()),
            status: r.status.into(),
            started_at: r.started_at,
            trial_ends_at: r.trial_ends_at,
            current_period_start: r.period_start,
            current_period_end: r.period_end,
            cancel_at_period_end: r.cancel_at_period_end,
            ended_at: r.ended_at,
            plan_id,
            scheduled,
        }
    }
}

#[ComplexObject]
impl BillingSubscription {
    /// The plan version in force (the last one, once ended).
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        let Some(id) = self.plan_id else { return Ok(None) };
        let kit = subgraph_kit::graphql::kit(ctx)?;
        Ok(Some(catalogue::plan_by_id(&kit.db, id).await?.into()))
    }

    /// A plan change booked for the period's end.
    async fn scheduled_plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        let Some((id, _)) = self.scheduled else { return Ok(None) };
        let kit = subgraph_kit::graphql::kit(ctx)?;
        Ok(Some(catalogue::plan_by_id(&kit.db, id).await?.into()))
    }

    /// When the booked change takes effect.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.scheduled.map(|(_, at)| at)
    }
}

/// A tenant (the federation entity), to which billing adds the
/// subscription and the current period's usage.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Tenant {
    /// The tenant's id (the federation key).
    pub id: ID,
}

#[ComplexObject]
impl Tenant {
    /// The tenant's live subscription (its own admins and auditors, and
    /// the platform operator).
    async fn subscription(&self, ctx: &Context<'_>) -> Result<Option<BillingSubscription>> {
        let (kit, tenant_id) = reader(ctx, &self.id).await?;
        Ok(subscriptions::live(&kit.db, tenant_id).await?.map(Into::into))
    }

    /// How much of each metric its plan charges the tenant used in the
    /// current period so far (empty without a subscription). `usage` is
    /// the tenants subgraph's (users against the limit).
    async fn metered_usage(&self, ctx: &Context<'_>) -> Result<Vec<MeteredUsage>> {
        let (kit, tenant_id) = reader(ctx, &self.id).await?;
        let Some((sub, plan)) = subscriptions::plan_in_force(&kit.db, tenant_id).await? else {
            return Ok(Vec::new());
        };
        let period = Period::new(sub.row.period_start, sub.row.period_end)?;
        let mut out = Vec::with_capacity(plan.charges.len());
        for (metric, _) in plan.charges {
            let quantity = usage::quantity(&kit.db, tenant_id, &metric, period).await?;
            out.push(MeteredUsage {
                metric: metric.into(),
                from: period.from,
                to: period.to,
                quantity: quantity.to_string(),
            });
        }
        Ok(out)
    }

    /// What the tenant's plan in force grants: features, and limits hard
    /// or soft (empty without a subscription).
    async fn entitlements(&self, ctx: &Context<'_>) -> Result<Vec<EntitlementGrant>> {
        let (kit, tenant_id) = reader(ctx, &self.id).await?;
        let Some((_, plan)) = subscriptions::plan_in_force(&kit.db, tenant_id).await? else {
            return Ok(Vec::new());
        };
        Ok(entitlements::of(&plan.plan)?.into_iter().map(EntitlementGrant::from).collect())
    }
}

/// The kit and tenant id for a caller who may read `id`'s billing: its
/// own readers, or the platform operator; NOT_FOUND for another tenant.
async fn reader<'a>(ctx: &'a Context<'_>, id: &ID) -> Result<(&'a subgraph_kit::Kit, uuid::Uuid)> {
    let tenant_id: uuid::Uuid = id.parse().map_err(|_| ApiError::NotFound("no such tenant".into()))?;
    if subgraph_kit::context::AuthExt::caller(ctx)?.operates_billing() {
        return Ok((subgraph_kit::graphql::kit(ctx)?, tenant_id));
    }
    let a = allow(ctx, "billing", "read").await?;
    if a.caller.tenant_id != tenant_id {
        return Err(ApiError::NotFound("no such tenant".into()).into());
    }
    Ok((a.kit, tenant_id))
}
