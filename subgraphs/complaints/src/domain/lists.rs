//! What the complaints queries list, with their access filters: a tenant's
//! complaints (a page at a time), teams, routing rules and SLA policies.

use backbone_entities::complaints::{
    complaint::{self, ComplaintStatus},
    policy, routing_rule, team, team_member,
    timeline_entry::{self, EntryKind},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use subgraph_kit::{
    ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

/// Which complaints a list holds.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    /// Only those this person filed (callers without a team-wide grant).
    pub reporter: Option<Uuid>,
    /// Only those assigned to this person.
    pub assignee: Option<Uuid>,
    /// Only those in one of these states (every state when empty).
    pub statuses: Vec<ComplaintStatus>,
}

/// A page of `tenant_id`'s complaints, newest first.
pub async fn complaints(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    filter: &ComplaintFilter,
    page: &Page,
) -> ApiResult<Paged<complaint::Model>> {
    let mut q = complaint::Entity::find().filter(complaint::Column::TenantId.eq(tenant_id));
    if let Some(reporter) = filter.reporter {
        q = q.filter(complaint::Column::ReporterId.eq(reporter));
    }
    if let Some(assignee) = filter.assignee {
        q = q.filter(complaint::Column::AssigneeId.eq(assignee));
    }
    if !filter.statuses.is_empty() {
        q = q.filter(complaint::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(complaint::Column::Id.lt(after));
    }
    let rows = q.order_by_desc(complaint::Column::Id).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}

/// A page of the tenant's complaint teams, by name.
pub async fn teams(db: &DatabaseConnection, tenant_id: Uuid, page: &Page) -> ApiResult<Paged<team::Model>> {
    let q =
        team::Entity::find().filter(team::Column::TenantId.eq(tenant_id)).order_by_asc(team::Column::Name);
    page.fetch_at(db, q.order_by_asc(team::Column::Id)).await
}

/// A page of a team's members, in round-robin order.
pub async fn members(
    db: &DatabaseConnection,
    team_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<team_member::Model>> {
    let q = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team_id))
        .order_by_asc(team_member::Column::Position);
    page.fetch_at(db, q).await
}

/// A page of the tenant's routing rules, by rank.
pub async fn routing_rules(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<routing_rule::Model>> {
    let q = routing_rule::Entity::find()
        .filter(routing_rule::Column::TenantId.eq(tenant_id))
        .order_by_asc(routing_rule::Column::Rank)
        .order_by_asc(routing_rule::Column::Id);
    page.fetch_at(db, q).await
}

/// A page of the tenant's SLA policies, by priority.
pub async fn policies(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<policy::Model>> {
    let q = policy::Entity::find()
        .filter(policy::Column::TenantId.eq(tenant_id))
        .order_by_asc(policy::Column::Priority)
        .order_by_asc(policy::Column::Id);
    page.fetch_at(db, q).await
}

/// A page of a complaint's timeline, oldest first; internal notes only for
/// staff.
pub async fn timeline(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    complaint_id: Uuid,
    staff: bool,
    page: &Page,
) -> ApiResult<Paged<timeline_entry::Model>> {
    let mut q = timeline_entry::Entity::find()
        .filter(timeline_entry::Column::ComplaintId.eq(complaint_id))
        .filter(timeline_entry::Column::TenantId.eq(tenant_id));
    if !staff {
        q = q.filter(timeline_entry::Column::Kind.ne(EntryKind::InternalNote));
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(timeline_entry::Column::Id.gt(after));
    }
    let rows = q.order_by_asc(timeline_entry::Column::Id).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}
