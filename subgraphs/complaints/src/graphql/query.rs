//! Queries and federation entity resolvers.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use subgraph_kit::{
    graphql::{allow, kit, uuid},
    isolation,
    pagination::Page,
    rbac::Scope,
};

use super::{objects::*, visible};
use crate::domain::{
    self, intake,
    lists::{self, ComplaintFilter},
    metrics,
};

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
    /// with `assignedToMe`), reporters their own; in `status` or any of
    /// `statuses` when given.
    async fn complaints(
        &self,
        ctx: &Context<'_>,
        status: Option<ComplaintStatus>,
        #[graphql(default)] statuses: Vec<ComplaintStatus>,
        assigned_to_me: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Complaint>> {
        let allowed = allow(ctx, "complaint", "read").await?;
        let page = Page::new(first, after)?;
        let me = allowed.caller.user_id;
        let filter = ComplaintFilter {
            reporter: (allowed.scope < Scope::Team).then_some(me),
            assignee: (assigned_to_me == Some(true)).then_some(me),
            statuses: status.into_iter().chain(statuses).map(Into::into).collect(),
        };
        let rows = lists::complaints(&allowed.kit.db, allowed.caller.tenant_id, &filter, &page).await?;
        Ok(rows.connection(|c| (c.id.to_string(), Complaint::from(c))))
    }

    /// Public status by tracking code: no sign-in, and nothing but status
    /// and dates.
    async fn complaint_status(
        &self,
        ctx: &Context<'_>,
        tracking_code: String,
    ) -> Result<PublicComplaintStatus> {
        // The unguessable code is the credential, whatever tenant filed it:
        // looked up as the platform, and only status and dates come back.
        let s = isolation::as_platform(intake::public_status(&kit(ctx)?.db, &tracking_code)).await?;
        Ok(PublicComplaintStatus {
            tracking_code: s.tracking_code,
            status: s.status.into(),
            filed_at: s.filed_at,
            updated_at: s.updated_at,
        })
    }

    /// The tenant's complaint teams.
    async fn complaint_teams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ComplaintTeam>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let page = Page::new(first, after)?;
        let rows = lists::teams(&allowed.kit.db, allowed.caller.tenant_id, &page).await?;
        Ok(rows.connection_at(ComplaintTeam::from))
    }

    /// Members of a team, in round-robin order.
    async fn complaint_team_members(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ComplaintTeamMember>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let page = Page::new(first, after)?;
        let team =
            domain::admin::find_team(&allowed.kit.db, allowed.caller.tenant_id, uuid("teamId", &team_id)?)
                .await?;
        let rows = lists::members(&allowed.kit.db, team.id, &page).await?;
        Ok(rows.connection_at(ComplaintTeamMember::from))
    }

    /// Routing rules, by rank.
    async fn routing_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, RoutingRule>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let page = Page::new(first, after)?;
        let rows = lists::routing_rules(&allowed.kit.db, allowed.caller.tenant_id, &page).await?;
        Ok(rows.connection_at(RoutingRule::from))
    }

    /// SLA policies.
    async fn sla_policies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SlaPolicy>> {
        let allowed = allow(ctx, "complaint", "manage").await?;
        let page = Page::new(first, after)?;
        let rows = lists::policies(&allowed.kit.db, allowed.caller.tenant_id, &page).await?;
        Ok(rows.try_map(SlaPolicy::try_from)?.connection_at(|p| p))
    }

    /// Federation: the complaint figures of a tenant (the caller's only).
    /// A complaint as another subgraph names it (documents adds its
    /// files); the same check as `complaint`.
    #[graphql(entity)]
    async fn find_complaint_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Complaint> {
        self.complaint(ctx, id).await
    }

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
    let allowed = subgraph_kit::graphql::allow_metrics(ctx, tenant_id).await?;
    let f = metrics::figures(&allowed.kit.db, allowed.caller.tenant_id).await?;
    Ok(TenantMetrics::taken(tenant_id.clone(), f))
}
