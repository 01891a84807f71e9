//! Queries and federation entity resolvers.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::complaints::{
    complaint::{self, ComplaintStatus as Stored},
    policy, routing_rule, team,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use subgraph_kit::{
    ApiError,
    graphql::{allow, kit, uuid},
    rbac::Scope,
};

use super::{objects::*, visible};
use crate::domain::{self, intake, metrics};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// One complaint: staff see their tenant's, a reporter their own.
    async fn complaint(&self, ctx: &Context<'_>, id: ID) -> Result<Complaint> {
        let allowed = allow(ctx, "complaint", "read").await?;
        let c = domain::find(&allowed.kit.db, allowed.caller.tenant_id, uuid("id", &id)?).await?;
        Ok(visible(&allowed, c)?.into())
    }

    /// Complaints, newest first: staff see the tenant's (or only theirs
    /// with `assignedToMe`), reporters their own.
    async fn complaints(
        &self,
        ctx: &Context<'_>,
        status: Option<ComplaintStatus>,
        assigned_to_me: Option<bool>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<Complaint>> {
        let allowed = allow(ctx, "complaint", "read").await?;
        let first = subgraph_kit::validate::bounded("first", i64::from(first), 200)?;
        let mut q =
            complaint::Entity::find().filter(complaint::Column::TenantId.eq(allowed.caller.tenant_id));
        if allowed.scope < Scope::Team {
            q = q.filter(complaint::Column::ReporterId.eq(allowed.caller.user_id));
        }
        if assigned_to_me == Some(true) {
            q = q.filter(complaint::Column::AssigneeId.eq(allowed.caller.user_id));
        }
        if let Some(s) = status {
            q = q.filter(complaint::Column::Status.eq(Stored::from(s)));
        }
        let rows = q.order_by_desc(complaint::Column::Id).limit(first as u64).all(&allowed.kit.db).await?;
        Ok(rows.into_iter().map(Complaint::from).collect())
    }

    /// Public status by tracking code: no sign-in, and nothing but status
    /// and dates.
    async fn complaint_status(
        &self,
        ctx: &Context<'_>,
        tracking_code: String,
    ) -> Result<PublicComplaintStatus> {
        let s = intake::public_status(&kit(ctx)?.db, &tracking_code).await?;
        Ok(PublicComplaintStatus {
            tracking_code: s.tracking_code,
            status: s.status.into(),
            filed_at: s.filed_at,
            updated_at: s.updated_at,
        })
    }

    /// The tenant's complaint teams.
    async fn complaint_teams(&self, ctx: &Context<'_>) -> Result<Vec<ComplaintTeam>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let rows = team::Entity::find()
            .filter(team::Column::TenantId.eq(allowed.caller.tenant_id))
            .order_by_asc(team::Column::Name)
            .all(&allowed.kit.db)
            .await?;
        Ok(rows.into_iter().map(ComplaintTeam::from).collect())
    }

    /// Members of a team, in round-robin order.
    async fn complaint_team_members(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
    ) -> Result<Vec<ComplaintTeamMember>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let team =
            domain::admin::find_team(&allowed.kit.db, allowed.caller.tenant_id, uuid("teamId", &team_id)?)
                .await?;
        let rows = domain::admin::members(&allowed.kit.db, team.id).await?;
        Ok(rows.into_iter().map(ComplaintTeamMember::from).collect())
    }

    /// Routing rules, by rank.
    async fn routing_rules(&self, ctx: &Context<'_>) -> Result<Vec<RoutingRule>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let rows = routing_rule::Entity::find()
            .filter(routing_rule::Column::TenantId.eq(allowed.caller.tenant_id))
            .order_by_asc(routing_rule::Column::Rank)
            .all(&allowed.kit.db)
            .await?;
        Ok(rows.into_iter().map(RoutingRule::from).collect())
    }

    /// SLA policies.
    async fn sla_policies(&self, ctx: &Context<'_>) -> Result<Vec<SlaPolicy>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let rows = policy::Entity::find()
            .filter(policy::Column::TenantId.eq(allowed.caller.tenant_id))
            .all(&allowed.kit.db)
            .await?;
        Ok(rows.into_iter().map(SlaPolicy::from).collect())
    }

    /// Federation: the complaint figures of a tenant (the caller's only).
    #[graphql(entity)]
    async fn find_tenant_metrics_by_tenant_id(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> Result<TenantMetrics> {
        tenant_metrics(ctx, &tenant_id).await
    }
}

/// Current complaint figures of `tenant_id`, for a caller of that tenant
/// holding `metrics:read`.
pub(crate) async fn tenant_metrics(ctx: &Context<'_>, tenant_id: &ID) -> Result<TenantMetrics> {
    let allowed = allow(ctx, "metrics", "read").await?;
    if uuid("tenantId", tenant_id)? != allowed.caller.tenant_id {
        return Err(ApiError::Forbidden("metrics of another tenant".into()).into());
    }
    let f = metrics::figures(&allowed.kit.db, allowed.caller.tenant_id).await?;
    Ok(TenantMetrics::taken(tenant_id.clone(), f))
}
