//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject, connection::Connection};
use backbone_entities::complaints::{
    complaint::{self, ComplaintStatus as Stored, Priority},
    policy, routing_rule, team, team_member,
    timeline_entry::{self, EntryKind},
};
use chrono::{DateTime, Utc};
use subgraph_kit::{graphql::allow, pagination::Page, rbac::Scope};

use crate::domain::{admin::stored_list, lists};

/// A user, owned by the tenants subgraph; the router resolves its fields.
#[derive(SimpleObject, Clone)]
#[graphql(unresolvable)]
pub struct User {
    /// The user's id; the tenants subgraph resolves the rest.
    pub id: ID,
}

fn user(id: Option<uuid::Uuid>) -> Option<User> {
    id.map(|u| User { id: u.into() })
}

subgraph_kit::mirror_enum!(
    /// Lifecycle status of a complaint.
    ComplaintStatus = Stored {
        /// Filed, nobody has looked yet.
        Submitted,
        /// Staff confirmed receipt.
        Acknowledged,
        /// Being worked on.
        InProgress,
        /// Waiting on the complainant (pauses the SLA clock by default).
        OnHold,
        /// Resolved; the reporter may reopen it.
        Resolved,
        /// Closed for good (staff can still reopen it).
        Closed,
    }
);

subgraph_kit::mirror_enum!(
    /// How urgent a complaint is; each priority has its own SLA policy.
    ComplaintPriority = Priority {
        /// Whenever staff get to it.
        Low,
        /// The default.
        Normal,
        /// Ahead of normal ones.
        High,
        /// Now.
        Urgent,
    }
);

/// A complaint as staff and its reporter see it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Complaint {
    /// The complaint's id (staff and the signed-in reporter use it; anonymous reporters use the tracking code).
    pub id: ID,
    /// The code a reporter follows it by without signing in (`complaintStatus`).
    pub tracking_code: String,
    /// What it is about, e.g. `billing`; routing rules match on it.
    pub category: String,
    /// How urgent it is; decides the SLA policy that applies.
    pub priority: ComplaintPriority,
    /// Where it happened, if the reporter said; routing rules may match on it.
    pub region: Option<String>,
    /// The reporter's one-line summary (at most 200 characters).
    pub subject: String,
    /// What happened, in the reporter's words.
    pub description: String,
    /// Lifecycle status.
    pub status: ComplaintStatus,
    /// Who filed it (null when anonymous).
    pub reporter: Option<User>,
    /// The staff member working on it; null until assigned.
    pub assignee: Option<User>,
    /// The team it was routed to; null when no routing rule matched.
    pub team_id: Option<ID>,
    /// 0 = not escalated, up to 3.
    pub escalation_level: i32,
    /// When the first response is due (null once responded or paused).
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When resolution is due (null once resolved or while paused).
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Whether the SLA clock is paused.
    pub sla_paused: bool,
    /// Whether the first-response target was missed (stays true once missed).
    pub first_response_breached: bool,
    /// Whether the resolution target was missed (stays true once missed).
    pub resolution_breached: bool,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated_at: DateTime<Utc>,
    /// Row id, for resolvers.
    #[graphql(skip)]
    pub internal_id: uuid::Uuid,
    /// Owning tenant, for resolvers.
    #[graphql(skip)]
    pub tenant_id: uuid::Uuid,
}

impl From<complaint::Model> for Complaint {
    fn from(c: complaint::Model) -> Self {
        Self {
            id: c.id.into(),
            internal_id: c.id,
            tenant_id: c.tenant_id,
            tracking_code: c.tracking_code,
            category: c.category,
            priority: c.priority.into(),
            region: c.region,
            subject: c.subject,
            description: c.description,
            status: c.status.into(),
            reporter: user(c.reporter_id),
            assignee: user(c.assignee_id),
            team_id: c.team_id.map(ID::from),
            escalation_level: c.escalation_level,
            first_response_due_at: c.first_response_due_at,
            resolution_due_at: c.resolution_due_at,
            sla_paused: c.paused_at.is_some(),
            first_response_breached: c.first_response_breached,
            resolution_breached: c.resolution_breached,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[ComplexObject]
impl Complaint {
    /// Comments, status changes, assignments, escalations and breaches,
    /// oldest first. Internal notes are shown to staff only.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, TimelineEntry>> {
        let allowed = allow(ctx, "complaint", "read").await?;
        let page = Page::new(first, after)?;
        let staff = allowed.scope >= Scope::Team;
        let rows = lists::timeline(&allowed.kit.db, self.tenant_id, self.internal_id, staff, &page).await?;
        Ok(rows.try_map(TimelineEntry::try_from)?.connection(|e| (e.id.to_string(), e)))
    }
}

subgraph_kit::mirror_enum!(
    /// What a timeline entry records.
    TimelineEntryKind = EntryKind {
        /// A comment the reporter sees.
        Comment,
        /// A note for staff only.
        InternalNote,
        /// A status change (`fromStatus`, `toStatus`).
        StatusChange,
        /// Reopened after resolution.
        Reopen,
        /// Assigned to someone.
        Assignment,
        /// Escalated a level.
        Escalation,
        /// An SLA target missed.
        SlaBreach,
    }
);

/// One timeline entry.
#[derive(SimpleObject, Clone)]
pub struct TimelineEntry {
    /// The entry's id.
    pub id: ID,
    /// What the entry records.
    pub kind: TimelineEntryKind,
    /// Author (null for the system or an anonymous reporter).
    pub author: Option<User>,
    /// What was written (comments and notes); null for status changes and system entries.
    pub body: Option<String>,
    /// Status before, for status changes (null for the first).
    pub from_status: Option<ComplaintStatus>,
    /// Status after, for status changes.
    pub to_status: Option<ComplaintStatus>,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<timeline_entry::Model> for TimelineEntry {
    type Error = subgraph_kit::ApiError;

    /// Fails for a stored status that is not a [`ComplaintStatus`].
    fn try_from(e: timeline_entry::Model) -> Result<Self, Self::Error> {
        let status = |s: Option<String>| {
            s.filter(|s| !s.is_empty())
                .map(|s| {
                    <Stored as sea_orm::ActiveEnum>::try_from_value(&s).map(ComplaintStatus::from).map_err(
                        |_| subgraph_kit::ApiError::Internal(format!("stored timeline status `{s}`")),
                    )
                })
                .transpose()
        };
        Ok(Self {
            id: e.id.into(),
            kind: e.kind.into(),
            author: user(e.author_id),
            body: e.body,
            from_status: status(e.from_status)?,
            to_status: status(e.to_status)?,
            created_at: e.created_at,
        })
    }
}

/// What anyone holding a tracking code may see, and nothing more.
#[derive(SimpleObject)]
pub struct PublicComplaintStatus {
    /// The tracking code.
    pub tracking_code: String,
    /// Lifecycle status.
    pub status: ComplaintStatus,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The answer to filing a complaint.
#[derive(SimpleObject)]
pub struct FiledComplaint {
    /// Keep this to follow the complaint without signing in.
    pub tracking_code: String,
    /// Status (submitted).
    pub status: ComplaintStatus,
    /// The complaint, for signed-in reporters (null when anonymous).
    pub complaint: Option<Complaint>,
}

/// A team handling complaints.
#[derive(SimpleObject)]
pub struct ComplaintTeam {
    /// The team's id; routing rules and members name it.
    pub id: ID,
    /// Unique within the tenant.
    pub name: String,
}

impl From<team::Model> for ComplaintTeam {
    fn from(t: team::Model) -> Self {
        Self { id: t.id.into(), name: t.name }
    }
}

/// A team member.
#[derive(SimpleObject)]
pub struct ComplaintTeamMember {
    /// The member, a user of the tenant.
    pub user: User,
    /// Round-robin position.
    pub position: i32,
    /// Inactive members get no new complaints.
    pub active: bool,
}

impl From<team_member::Model> for ComplaintTeamMember {
    fn from(m: team_member::Model) -> Self {
        Self { user: User { id: m.user_id.into() }, position: m.position, active: m.active }
    }
}

/// A routing rule.
#[derive(SimpleObject)]
pub struct RoutingRule {
    /// The rule's id.
    pub id: ID,
    /// Category matched (null = any).
    pub category: Option<String>,
    /// Region matched (null = any).
    pub region: Option<String>,
    /// Team receiving matches.
    pub team_id: ID,
    /// Lower ranks win.
    pub rank: i32,
}

impl From<routing_rule::Model> for RoutingRule {
    fn from(r: routing_rule::Model) -> Self {
        Self {
            id: r.id.into(),
            category: r.category,
            region: r.region,
            team_id: r.team_id.into(),
            rank: r.rank,
        }
    }
}

/// An SLA policy.
#[derive(SimpleObject)]
pub struct SlaPolicy {
    /// The policy's id.
    pub id: ID,
    /// Priority it applies to.
    pub priority: ComplaintPriority,
    /// Business seconds to first response.
    pub first_response_seconds: i32,
    /// Business seconds to resolution.
    pub resolution_seconds: i32,
    /// Business-hours calendar (null = around the clock).
    pub calendar_id: Option<ID>,
    /// Statuses that pause the clock.
    pub pause_statuses: Vec<ComplaintStatus>,
    /// Seconds between escalation levels.
    pub escalation_seconds: i32,
    /// Teams of escalation levels 1–3.
    pub ladder: Vec<ID>,
}

impl TryFrom<policy::Model> for SlaPolicy {
    type Error = subgraph_kit::ApiError;

    /// Fails for stored lists that do not parse.
    fn try_from(p: policy::Model) -> Result<Self, Self::Error> {
        let ladder: Vec<uuid::Uuid> = stored_list(&p.ladder, "ladder")?;
        let pauses: Vec<Stored> = stored_list(&p.pause_statuses, "pause statuses")?;
        Ok(Self {
            id: p.id.into(),
            priority: p.priority.into(),
            first_response_seconds: p.first_response_seconds,
            resolution_seconds: p.resolution_seconds,
            calendar_id: p.calendar_id.map(ID::from),
            pause_statuses: pauses.into_iter().map(Into::into).collect(),
            escalation_seconds: p.escalation_seconds,
            ladder: ladder.into_iter().map(ID::from).collect(),
        })
    }
}

/// A status change pushed to subscribers.
#[derive(SimpleObject, Clone)]
pub struct ComplaintStatusChange {
    /// Event id (deduplicate on it).
    pub event_id: ID,
    /// The status it left.
    pub from: Option<ComplaintStatus>,
    /// The status it moved to.
    pub to: ComplaintStatus,
    /// The complaint after the change.
    pub complaint: Complaint,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

/// Live figures of a tenant. Several subgraphs contribute fields; each tick
/// of `liveMetrics` is a full snapshot.
#[derive(SimpleObject, Clone)]
pub struct TenantMetrics {
    /// The tenant these figures are about (the federation key).
    pub tenant_id: ID,
    /// Complaints not resolved or closed.
    pub open_complaints: i64,
    /// Open complaints that missed an SLA target.
    pub sla_breaches: i64,
    /// Open complaints on an escalation level.
    pub escalated_complaints: i64,
    /// When these figures were taken.
    pub at: DateTime<Utc>,
}

impl TenantMetrics {
    /// Figures of `tenant_id` taken now.
    pub fn taken(tenant_id: ID, f: crate::domain::metrics::ComplaintFigures) -> Self {
        Self {
            tenant_id,
            open_complaints: f.open as i64,
            sla_breaches: f.breached as i64,
            escalated_complaints: f.escalated as i64,
            at: chrono::Utc::now(),
        }
    }
}
