//! Setting up complaint handling: teams and members, routing rules,
//! business-hours calendars and SLA policies with their escalation ladder.

use backbone_entities::{
    complaints::{calendar, complaint::Priority, policy, routing_rule, team, team_member},
    tenancy::user,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{
    calendar::{Calendar, Window},
    status,
};

async fn audited<T>(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Uuid,
    event_type: &'static str,
    resource_type: &'static str,
    write: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ApiResult<(String, T)>,
) -> ApiResult<T> {
    let txn = db.begin().await?;
    let (resource_id, out) = write(&txn).await?;
    let entry = AuditEntry { event_type, resource_type, resource_id, data: serde_json::Value::Null };
    audit::append(&txn, tenant_id, Some(actor), entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(out)
}

/// Creates a team.
pub async fn create_team(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Uuid,
    name: &str,
) -> ApiResult<team::Model> {
    let name = subgraph_kit::validate::name("name", name)?;
    audited(db, tenant_id, actor, "complaint.team_created", "complaint_team", async |txn| {
        let row = team::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            name: Set(name),
            rr_cursor: Set(-1),
            created_at: Set(Utc::now()),
        }
        .insert(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ApiError::Conflict("a team with that name exists".into())
            }
            _ => e.into(),
        })?;
        Ok((row.id.to_string(), row))
    })
    .await
}

/// Loads a team of the tenant, or NOT_FOUND.
pub async fn find_team(db: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> ApiResult<team::Model> {
    team::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| t.tenant_id == tenant_id)
        .ok_or_else(|| ApiError::NotFound("no such team".into()))
}

/// Adds a member (or sets an existing member's active flag).
pub async fn set_member(
    db: &DatabaseConnection,
    actor: Uuid,
    team: &Ref<team::Entity>,
    user: &Ref<user::Entity>,
    active: bool,
) -> ApiResult<team_member::Model> {
    let (tenant_id, team_id, user_id) = (team.tenant_id(), team.id(), user.id());
    if user.tenant_id() != tenant_id {
        return Err(ApiError::NotFound("no user with that id in this tenant".into()));
    }
    if active && user.row().status == backbone_entities::tenancy::user::UserStatus::Deactivated {
        return Err(ApiError::bad_input("userId", "a deactivated user cannot join a team"));
    }
    audited(db, tenant_id, actor, "complaint.team_member_set", "complaint_team", async |txn| {
        let members = members(txn, team_id).await?;
        let row = match members.iter().find(|m| m.user_id == user_id) {
            Some(m) => {
                let mut am: team_member::ActiveModel = m.clone().into();
                am.active = Set(active);
                am.update(txn).await?
            }
            None => {
                team_member::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(tenant_id),
                    team_id: Set(team_id),
                    user_id: Set(user_id),
                    position: Set(members.iter().map(|m| m.position + 1).max().unwrap_or(0)),
                    active: Set(active),
                }
                .insert(txn)
                .await?
            }
        };
        Ok((team_id.to_string(), row))
    })
    .await
}

/// A team's members in round-robin order.
pub async fn members(db: &impl ConnectionTrait, team_id: Uuid) -> ApiResult<Vec<team_member::Model>> {
    Ok(team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team_id))
        .order_by_asc(team_member::Column::Position)
        .all(db)
        .await?)
}

/// Adds a routing rule; rules are tried by rank, the first match wins.
pub async fn add_rule(
    db: &DatabaseConnection,
    actor: Uuid,
    category: Option<String>,
    region: Option<String>,
    team: &Ref<team::Entity>,
    rank: i32,
) -> ApiResult<routing_rule::Model> {
    let (tenant_id, team_id) = (team.tenant_id(), team.id());
    audited(db, tenant_id, actor, "complaint.routing_rule_added", "complaint_routing_rule", async |txn| {
        let row = routing_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            category: Set(category.map(|c| c.trim().to_ascii_lowercase())),
            region: Set(region.map(|r| r.trim().to_ascii_lowercase())),
            team_id: Set(team_id),
            rank: Set(rank),
        }
        .insert(txn)
        .await?;
        Ok((row.id.to_string(), row))
    })
    .await
}

/// Creates a business-hours calendar.
pub async fn create_calendar(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Uuid,
    name: &str,
    time_zone: &str,
    windows: Vec<Window>,
    holidays: Vec<String>,
) -> ApiResult<calendar::Model> {
    let name = subgraph_kit::validate::name("name", name)?;
    Calendar::new(time_zone, &windows, &holidays)?;
    audited(db, tenant_id, actor, "complaint.calendar_created", "sla_calendar", async |txn| {
        let row = calendar::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            name: Set(name),
            time_zone: Set(time_zone.to_owned()),
            weekly_hours: Set(serde_json::to_string(&windows).unwrap_or_default()),
            holidays: Set(serde_json::to_string(&holidays).unwrap_or_default()),
        }
        .insert(txn)
        .await?;
        Ok((row.id.to_string(), row))
    })
    .await
}

/// What a policy says, as typed input.
pub struct PolicyInput {
    /// Priority it applies to.
    pub priority: Priority,
    /// Business seconds to first response.
    pub first_response_seconds: i32,
    /// Business seconds to resolution.
    pub resolution_seconds: i32,
    /// Calendar; `None` = around the clock.
    pub calendar_id: Option<Uuid>,
    /// Statuses that pause the clock.
    pub pause_statuses: Vec<status::Status>,
    /// Seconds between escalation levels.
    pub escalation_seconds: i32,
    /// Teams of escalation levels 1–3.
    pub ladder: Vec<Uuid>,
}

/// Creates or replaces the policy of a priority.
pub async fn set_policy(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Uuid,
    input: PolicyInput,
) -> ApiResult<policy::Model> {
    let priority = input.priority;
    if input.first_response_seconds < 1 || input.resolution_seconds < 1 || input.escalation_seconds < 1 {
        return Err(ApiError::bad_input("seconds", "targets and escalation interval must be positive"));
    }
    if input.ladder.len() > 3 {
        return Err(ApiError::bad_input("ladder", "the escalation ladder has at most 3 levels"));
    }
    if let Some(bad) = input.pause_statuses.iter().find(|s| !status::OPEN.contains(s)) {
        return Err(ApiError::bad_input(
            "pauseStatuses",
            format!("`{}` is not an open status", bad.as_str()),
        ));
    }
    for team_id in &input.ladder {
        find_team(db, tenant_id, *team_id).await?;
    }
    if let Some(id) = input.calendar_id {
        find_calendar(db, tenant_id, id).await?;
    }
    let existing = policy::Entity::find()
        .filter(policy::Column::TenantId.eq(tenant_id))
        .filter(policy::Column::Priority.eq(priority))
        .one(db)
        .await?;
    audited(db, tenant_id, actor, "complaint.policy_set", "sla_policy", async |txn| {
        let mut row = policy::ActiveModel {
            id: Set(existing.as_ref().map_or_else(Uuid::now_v7, |p| p.id)),
            tenant_id: Set(tenant_id),
            priority: Set(priority),
            first_response_seconds: Set(input.first_response_seconds),
            resolution_seconds: Set(input.resolution_seconds),
            calendar_id: Set(input.calendar_id),
            pause_statuses: Set(serde_json::to_string(&input.pause_statuses).unwrap_or_default()),
            escalation_seconds: Set(input.escalation_seconds),
            ladder: Set(serde_json::to_string(&input.ladder).unwrap_or_default()),
        };
        let saved = if existing.is_some() {
            row.id = sea_orm::ActiveValue::Unchanged(row.id.take().unwrap_or_default());
            row.update(txn).await?
        } else {
            row.insert(txn).await?
        };
        Ok((saved.id.to_string(), saved))
    })
    .await
}

async fn find_calendar(db: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> ApiResult<calendar::Model> {
    calendar::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.tenant_id == tenant_id)
        .ok_or_else(|| ApiError::NotFound("no such calendar".into()))
}

/// A policy with its parsed calendar and lists.
pub struct Policy {
    /// The row.
    pub row: policy::Model,
    /// Business hours; `None` = around the clock.
    pub calendar: Option<Calendar>,
    /// Statuses that pause the clock.
    pub pause_statuses: Vec<status::Status>,
    /// Teams of escalation levels 1–3.
    pub ladder: Vec<Uuid>,
}

/// Loads a policy by id with its calendar.
pub async fn load_policy(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Policy>> {
    let Some(row) = policy::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    parse_policy(db, row).await.map(Some)
}

/// The policy of a priority in a tenant, if one is set.
pub async fn policy_for(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    priority: Priority,
) -> ApiResult<Option<Policy>> {
    let row = policy::Entity::find()
        .filter(policy::Column::TenantId.eq(tenant_id))
        .filter(policy::Column::Priority.eq(priority))
        .one(db)
        .await?;
    match row {
        Some(row) => parse_policy(db, row).await.map(Some),
        None => Ok(None),
    }
}

async fn parse_policy(db: &impl ConnectionTrait, row: policy::Model) -> ApiResult<Policy> {
    let calendar = match row.calendar_id {
        Some(id) => {
            let c = find_calendar(db, row.tenant_id, id).await?;
            let windows: Vec<Window> = serde_json::from_str(&c.weekly_hours).unwrap_or_default();
            let holidays: Vec<String> = serde_json::from_str(&c.holidays).unwrap_or_default();
            Some(Calendar::new(&c.time_zone, &windows, &holidays)?)
        }
        None => None,
    };
    Ok(Policy {
        pause_statuses: stored_list(&row.pause_statuses, "pause statuses")?,
        ladder: stored_list(&row.ladder, "ladder")?,
        calendar,
        row,
    })
}

/// A JSON list stored in a policy row; one that does not parse fails the
/// read instead of passing for an empty list.
pub fn stored_list<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> ApiResult<Vec<T>> {
    serde_json::from_str(json).map_err(|e| ApiError::Internal(format!("stored SLA policy {what}: {e}")))
}
