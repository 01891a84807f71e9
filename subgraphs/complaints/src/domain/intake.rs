//! Filing a complaint: validation, routing to a team, round-robin
//! assignment, the SLA clock and a public tracking code.

use backbone_entities::{
    complaints::{
        complaint::{self, Priority},
        routing_rule, team,
    },
    tenancy::tenant,
};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};
use subgraph_kit::{ApiError, ApiResult, validate};
use uuid::Uuid;

use super::{Entry, EntryKind, admin, calendar::add_business, emit, events, status, timeline};

/// Crockford base32 without I, L, O, U: unambiguous when read aloud.
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What a complainant submits.
pub struct NewComplaint {
    /// Category, e.g. `billing`.
    pub category: String,
    /// How urgent it is.
    pub priority: Priority,
    /// Region, if relevant to routing.
    pub region: Option<String>,
    /// Subject line.
    pub subject: String,
    /// What happened.
    pub description: String,
    /// How to reach an anonymous complainant.
    pub contact: Option<String>,
}

/// Files a complaint for `tenant_id`; `reporter` is `None` when anonymous.
pub async fn file(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    reporter: Option<Uuid>,
    input: NewComplaint,
) -> ApiResult<complaint::Model> {
    let txn = db.begin().await?;
    let row = file_in(&txn, tenant_id, reporter, input).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// [`file`] inside `txn`, for a caller that records more in the same
/// transaction (an event consumed once).
pub async fn file_in(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    reporter: Option<Uuid>,
    input: NewComplaint,
) -> ApiResult<complaint::Model> {
    let category = validate::name("category", &input.category)?.to_ascii_lowercase();
    let priority = input.priority;
    let region =
        input.region.map(|r| validate::name("region", &r)).transpose()?.map(|r| r.to_ascii_lowercase());
    let subject = validate::name("subject", &input.subject)?;
    let description = input.description.trim().to_owned();
    if description.is_empty() || description.len() > 20_000 {
        return Err(ApiError::bad_input("description", "description must be 1–20000 characters"));
    }
    if input.contact.as_ref().is_some_and(|c| c.len() > 200) {
        return Err(ApiError::bad_input("contact", "contact must be at most 200 characters"));
    }
    let active = tenant::Entity::find_by_id(tenant_id).one(txn).await?.is_some_and(|t| t.active);
    if !active {
        return Err(ApiError::NotFound("no such tenant".into()));
    }
    let now = Utc::now();
    let team_id = route(txn, tenant_id, &category, region.as_deref()).await?;
    let assignee = match team_id {
        Some(t) => next_assignee(txn, t).await?,
        None => None,
    };
    let policy = admin::policy_for(txn, tenant_id, priority).await?;
    let due = |seconds: i32| -> Option<DateTime<Utc>> {
        policy.as_ref().map(|p| add_business(p.calendar.as_ref(), now, i64::from(seconds)))
    };
    let row = complaint::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        tracking_code: Set(tracking_code()),
        reporter_id: Set(reporter),
        reporter_contact: Set(input.contact),
        category: Set(category),
        priority: Set(priority),
        region: Set(region),
        subject: Set(subject),
        description: Set(description),
        status: Set(status::Status::Submitted),
        team_id: Set(team_id),
        assignee_id: Set(assignee),
        escalation_level: Set(0),
        policy_id: Set(policy.as_ref().map(|p| p.row.id)),
        first_response_due_at: Set(policy.as_ref().and_then(|p| due(p.row.first_response_seconds))),
        resolution_due_at: Set(policy.as_ref().and_then(|p| due(p.row.resolution_seconds))),
        first_responded_at: Set(None),
        paused_at: Set(None),
        first_response_left_secs: Set(None),
        resolution_left_secs: Set(None),
        first_response_breached: Set(false),
        resolution_breached: Set(false),
        next_escalation_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    timeline(
        txn,
        &row,
        Entry {
            kind: EntryKind::StatusChange,
            author: reporter,
            body: None,
            change: Some(("", status::Status::Submitted.as_str())),
        },
    )
    .await?;
    let filed = serde_json::json!({"trackingCode": row.tracking_code, "anonymous": reporter.is_none()});
    emit(txn, &row, reporter, events::FILED, filed).await?;
    if row.assignee_id.is_some() {
        emit(txn, &row, reporter, events::ASSIGNED, serde_json::json!({"reason": "routing"})).await?;
    }
    Ok(row)
}

/// The team of the first matching routing rule (by rank).
async fn route(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    category: &str,
    region: Option<&str>,
) -> ApiResult<Option<Uuid>> {
    let rules = routing_rule::Entity::find()
        .filter(routing_rule::Column::TenantId.eq(tenant_id))
        .order_by_asc(routing_rule::Column::Rank)
        .all(db)
        .await?;
    Ok(rules
        .into_iter()
        .find(|r| {
            r.category.as_deref().is_none_or(|c| c == category)
                && r.region.as_deref().is_none_or(|want| region == Some(want))
        })
        .map(|r| r.team_id))
}

/// The next active member of `team_id` after the last one assigned,
/// advancing the team's cursor. The cursor moves with a compare-and-set,
/// so concurrent filings never hand out the same turn twice.
pub async fn next_assignee(db: &impl ConnectionTrait, team_id: Uuid) -> ApiResult<Option<Uuid>> {
    for _ in 0..8 {
        let Some(t) = team::Entity::find_by_id(team_id).one(db).await? else { return Ok(None) };
        let members = admin::members(db, team_id).await?;
        let active: Vec<_> = members.iter().filter(|m| m.active).collect();
        let Some(chosen) = active.iter().find(|m| m.position > t.rr_cursor).or_else(|| active.first()) else {
            return Ok(None);
        };
        let moved = team::Entity::update_many()
            .col_expr(team::Column::RrCursor, Expr::value(chosen.position))
            .filter(team::Column::Id.eq(team_id))
            .filter(team::Column::RrCursor.eq(t.rr_cursor))
            .exec(db)
            .await?;
        if moved.rows_affected == 1 {
            return Ok(Some(chosen.user_id));
        }
    }
    Err(ApiError::Conflict("assignment is contended; try again".into()))
}

fn tracking_code() -> String {
    let mut rng = rand::rng();
    let body: String =
        (0..10).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("C-{}-{}", &body[..5], &body[5..])
}

/// What the public may learn from a tracking code: status and timestamps.
pub struct PublicStatus {
    /// The code asked about.
    pub tracking_code: String,
    /// Lifecycle status.
    pub status: status::Status,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Looks a complaint up by tracking code; an unknown code is NOT_FOUND.
pub async fn public_status(db: &DatabaseConnection, code: &str) -> ApiResult<PublicStatus> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() > 32 {
        return Err(ApiError::NotFound("no complaint with that tracking code".into()));
    }
    let row = complaint::Entity::find()
        .filter(complaint::Column::TrackingCode.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no complaint with that tracking code".into()))?;
    Ok(PublicStatus {
        tracking_code: row.tracking_code,
        status: row.status,
        filed_at: row.created_at,
        updated_at: row.updated_at,
    })
}
