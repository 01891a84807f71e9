//! Mutations: filing, lifecycle, comments, assignment and setup.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::complaints::complaint;
use subgraph_kit::{
    ApiError, Auth,
    graphql::{allow, kit, uuid},
    isolation::{self, Isolation},
    rbac::Scope,
    tenancy::Ref,
};

use super::{inputs::*, objects::*, visible};
use crate::domain::{
    self, admin,
    calendar::Window,
    intake::{self, NewComplaint},
    lifecycle,
};

/// Mutation root.
pub struct MutationRoot;

fn ids(field: &str, list: &[ID]) -> Result<Vec<uuid::Uuid>, ApiError> {
    list.iter().map(|id| uuid(field, id)).collect()
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Files a complaint, signed in or anonymously. Keep the tracking code.
    async fn file_complaint(&self, ctx: &Context<'_>, input: FileComplaintInput) -> Result<FiledComplaint> {
        let kit = kit(ctx)?;
        let (tenant, reporter) = match ctx.data_opt::<Auth>() {
            Some(Auth::Authenticated(_)) => {
                let allowed = allow(ctx, "complaint", "create").await?;
                (allowed.caller.tenant_id, Some(allowed.caller.user_id))
            }
            Some(Auth::Invalid(reason)) => return Err(ApiError::Unauthenticated(reason.clone()).into()),
            _ => {
                let id = input.tenant_id.as_ref().ok_or_else(|| {
                    ApiError::bad_input("tenantId", "anonymous complaints must name the tenant")
                })?;
                (uuid("tenantId", id)?, None)
            }
        };
        let new = NewComplaint {
            category: input.category,
            priority: input.priority.into(),
            region: input.region,
            subject: input.subject,
            description: input.description,
            contact: input.contact,
        };
        // An anonymous filer acts in the tenant it names (checked active).
        let row = isolation::within(Isolation::Tenant(tenant), intake::file(&kit.db, tenant, reporter, new))
            .await?;
        Ok(FiledComplaint {
            tracking_code: row.tracking_code.clone(),
            status: row.status.into(),
            complaint: reporter.map(|_| row.into()),
        })
    }

    /// Moves a complaint along its lifecycle (staff). An invalid step is
    /// BAD_USER_INPUT.
    async fn change_complaint_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ComplaintStatus,
        note: Option<String>,
    ) -> Result<Complaint> {
        let a = allow(ctx, "complaint", "update").await?;
        let complaint = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let row = lifecycle::transition(&a.kit.db, a.caller.user_id, &complaint, status.into(), note).await?;
        Ok(row.into())
    }

    /// Reopens a resolved or closed complaint: staff, or its reporter.
    async fn reopen_complaint(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> Result<Complaint> {
        let a = allow(ctx, "complaint", "read").await?;
        let complaint: Ref<complaint::Entity> = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let c = visible(&a, complaint.row().clone())?;
        if a.scope < Scope::Team && c.reporter_id != Some(a.caller.user_id) {
            return Err(ApiError::Forbidden("only staff or the reporter reopen".into()).into());
        }
        let row = lifecycle::reopen(&a.kit.db, a.caller.user_id, &complaint, reason).await?;
        Ok(row.into())
    }

    /// Comments on a complaint. Reporters comment on their own; internal
    /// notes are for staff and never shown to the reporter.
    async fn comment_on_complaint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: String,
        #[graphql(default)] internal: bool,
    ) -> Result<Complaint> {
        let a = allow(ctx, "complaint", "read").await?;
        let complaint: Ref<complaint::Entity> = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let c = visible(&a, complaint.row().clone())?;
        if internal || c.reporter_id != Some(a.caller.user_id) {
            a.kit.rbac.require(a.caller, "complaint", "update").await?;
        }
        lifecycle::comment(&a.kit.db, a.caller.user_id, &complaint, &body, internal).await?;
        Ok(domain::find(&a.kit.db, a.caller.tenant_id, complaint.id()).await?.into())
    }

    /// Assigns a complaint to a staff member.
    async fn assign_complaint(&self, ctx: &Context<'_>, id: ID, assignee_id: ID) -> Result<Complaint> {
        let a = allow(ctx, "complaint", "assign").await?;
        let complaint = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let assignee = Ref::parse(&a.kit.db, a.caller.tenant_id, "assigneeId", &assignee_id).await?;
        let row = lifecycle::assign(&a.kit.db, a.caller.user_id, &complaint, &assignee).await?;
        Ok(row.into())
    }

    /// Creates a complaints team.
    async fn create_complaint_team(&self, ctx: &Context<'_>, name: String) -> Result<ComplaintTeam> {
        let a = allow(ctx, "complaint", "manage").await?;
        Ok(admin::create_team(&a.kit.db, a.caller.tenant_id, a.caller.user_id, &name).await?.into())
    }

    /// Adds a member to a team, or (de)activates one.
    async fn set_complaint_team_member(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        user_id: ID,
        #[graphql(default = true)] active: bool,
    ) -> Result<ComplaintTeamMember> {
        let a = allow(ctx, "complaint", "manage").await?;
        let (db, tenant) = (&a.kit.db, a.caller.tenant_id);
        let team = Ref::parse(db, tenant, "teamId", &team_id).await?;
        let user = Ref::parse(db, tenant, "userId", &user_id).await?;
        Ok(admin::set_member(db, a.caller.user_id, &team, &user, active).await?.into())
    }

    /// Adds a routing rule (category and/or region → team).
    async fn add_routing_rule(
        &self,
        ctx: &Context<'_>,
        category: Option<String>,
        region: Option<String>,
        team_id: ID,
        #[graphql(default = 100)] rank: i32,
    ) -> Result<RoutingRule> {
        let a = allow(ctx, "complaint", "manage").await?;
        let team = Ref::parse(&a.kit.db, a.caller.tenant_id, "teamId", &team_id).await?;
        Ok(admin::add_rule(&a.kit.db, a.caller.user_id, category, region, &team, rank).await?.into())
    }

    /// Creates a business-hours calendar; returns its id.
    async fn create_sla_calendar(
        &self,
        ctx: &Context<'_>,
        name: String,
        time_zone: String,
        weekly_hours: Vec<WindowInput>,
        #[graphql(default)] holidays: Vec<String>,
    ) -> Result<ID> {
        let a = allow(ctx, "complaint", "manage").await?;
        let windows =
            weekly_hours.into_iter().map(|w| Window { day: w.day, start: w.start, end: w.end }).collect();
        let row = admin::create_calendar(
            &a.kit.db,
            a.caller.tenant_id,
            a.caller.user_id,
            &name,
            &time_zone,
            windows,
            holidays,
        )
        .await?;
        Ok(row.id.into())
    }

    /// Creates or replaces the SLA policy of a priority.
    async fn set_sla_policy(&self, ctx: &Context<'_>, input: SlaPolicyInput) -> Result<SlaPolicy> {
        let a = allow(ctx, "complaint", "manage").await?;
        let policy = admin::PolicyInput {
            priority: input.priority.into(),
            first_response_seconds: input.first_response_seconds,
            resolution_seconds: input.resolution_seconds,
            calendar_id: input.calendar_id.as_ref().map(|c| uuid("calendarId", c)).transpose()?,
            pause_statuses: input.pause_statuses.into_iter().map(Into::into).collect(),
            escalation_seconds: input.escalation_seconds,
            ladder: ids("ladder", &input.ladder)?,
        };
        Ok(admin::set_policy(&a.kit.db, a.caller.tenant_id, a.caller.user_id, policy).await?.try_into()?)
    }
}
