//! Moving a complaint through its lifecycle, with the SLA clock following:
//! the first response stops the first-response clock, pause statuses stop
//! both clocks (keeping the business time left), resolving stops the
//! resolution clock, reopening starts it afresh.

use backbone_entities::complaints::complaint;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, TransactionTrait};
use subgraph_kit::{ApiError, ApiResult, tenancy::Ref};
use uuid::Uuid;

use super::{
    Entry, EntryKind,
    admin::{self, Policy},
    allowed,
    calendar::{add_business, business_between},
    emit, events, find,
    status::Status,
    timeline,
};

/// Moves complaint `id` to `to`, by staff member `actor`.
pub async fn transition(
    db: &DatabaseConnection,
    actor: Uuid,
    complaint: &Ref<complaint::Entity>,
    to: Status,
    note: Option<String>,
) -> ApiResult<complaint::Model> {
    let (tenant_id, id) = (complaint.tenant_id(), complaint.id());
    let txn = db.begin().await?;
    let current = find(&txn, tenant_id, id).await?;
    let from = current.status;
    if !allowed(from, to) {
        let (from, to) = (from.as_str(), to.as_str());
        return Err(ApiError::bad_input("status", format!("a complaint cannot go from {from} to {to}")));
    }
    let policy = match current.policy_id {
        Some(p) => admin::load_policy(&txn, p).await?,
        None => None,
    };
    let now = Utc::now();
    let mut row: complaint::ActiveModel = current.clone().into();
    apply_clock(&mut row, &current, policy.as_ref(), to, now);
    row.status = Set(to);
    row.updated_at = Set(now);
    let updated = row.update(&txn).await?;
    let change = Some((from.as_str(), to.as_str()));
    timeline(
        &txn,
        &updated,
        Entry { kind: EntryKind::StatusChange, author: Some(actor), body: note, change },
    )
    .await?;
    emit(
        &txn,
        &updated,
        Some(actor),
        events::COMPLAINT_STATUS_CHANGED,
        serde_json::json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}

/// Sets the clock fields for a move from `current.status` to `to` at `now`.
fn apply_clock(
    row: &mut complaint::ActiveModel,
    current: &complaint::Model,
    policy: Option<&Policy>,
    to: Status,
    now: DateTime<Utc>,
) {
    let Some(policy) = policy else { return };
    let cal = policy.calendar.as_ref();
    let pauses = |s: Status| policy.pause_statuses.contains(&s);
    if current.first_responded_at.is_none() && current.status == Status::Submitted {
        row.first_responded_at = Set(Some(now));
        row.first_response_due_at = Set(None);
        row.first_response_left_secs = Set(None);
    }
    if to == Status::Resolved || to == Status::Closed {
        row.resolution_due_at = Set(None);
        row.resolution_left_secs = Set(None);
        row.next_escalation_at = Set(None);
        row.paused_at = Set(None);
    } else if pauses(to) && current.paused_at.is_none() {
        row.paused_at = Set(Some(now));
        row.resolution_left_secs = Set(current.resolution_due_at.map(|d| business_between(cal, now, d)));
        row.resolution_due_at = Set(None);
    } else if !pauses(to) && current.paused_at.is_some() {
        row.paused_at = Set(None);
        row.resolution_left_secs = Set(None);
        row.resolution_due_at = Set(current.resolution_left_secs.map(|left| add_business(cal, now, left)));
    }
}

/// Reopens a resolved or closed complaint: back to in progress, with a
/// fresh resolution clock and no escalation.
pub async fn reopen(
    db: &DatabaseConnection,
    actor: Uuid,
    complaint: &Ref<complaint::Entity>,
    reason: Option<String>,
) -> ApiResult<complaint::Model> {
    let (tenant_id, id) = (complaint.tenant_id(), complaint.id());
    let txn = db.begin().await?;
    let current = find(&txn, tenant_id, id).await?;
    let from = current.status;
    if from != Status::Resolved && from != Status::Closed {
        return Err(ApiError::bad_input(
            "status",
            format!("only resolved or closed complaints reopen, not {}", from.as_str()),
        ));
    }
    let policy = match current.policy_id {
        Some(p) => admin::load_policy(&txn, p).await?,
        None => None,
    };
    let now = Utc::now();
    let mut row: complaint::ActiveModel = current.into();
    row.status = Set(Status::InProgress);
    row.resolution_breached = Set(false);
    row.escalation_level = Set(0);
    row.next_escalation_at = Set(None);
    row.resolution_due_at = Set(policy
        .as_ref()
        .map(|p| add_business(p.calendar.as_ref(), now, i64::from(p.row.resolution_seconds))));
    row.updated_at = Set(now);
    let updated = row.update(&txn).await?;
    let change = Some((from.as_str(), Status::InProgress.as_str()));
    timeline(&txn, &updated, Entry { kind: EntryKind::Reopen, author: Some(actor), body: reason, change })
        .await?;
    let payload =
        serde_json::json!({"from": from.as_str(), "to": Status::InProgress.as_str(), "reopened": true});
    emit(&txn, &updated, Some(actor), events::COMPLAINT_STATUS_CHANGED, payload).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}

/// Adds a comment (visible to the complainant) or an internal note.
pub async fn comment(
    db: &DatabaseConnection,
    actor: Uuid,
    complaint: &Ref<complaint::Entity>,
    body: &str,
    internal: bool,
) -> ApiResult<()> {
    let (tenant_id, id) = (complaint.tenant_id(), complaint.id());
    let body = body.trim();
    if body.is_empty() || body.len() > 10_000 {
        return Err(ApiError::bad_input("body", "a comment must be 1–10000 characters"));
    }
    let txn = db.begin().await?;
    let current = find(&txn, tenant_id, id).await?;
    let kind = if internal { EntryKind::InternalNote } else { EntryKind::Comment };
    timeline(&txn, &current, Entry { kind, author: Some(actor), body: Some(body.to_owned()), change: None })
        .await?;
    if !internal {
        emit(&txn, &current, Some(actor), events::COMMENTED, serde_json::json!({"authorId": actor})).await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Assigns a complaint to a staff member by hand.
pub async fn assign(
    db: &DatabaseConnection,
    actor: Uuid,
    complaint: &Ref<complaint::Entity>,
    assignee: &Ref<backbone_entities::tenancy::user::Entity>,
) -> ApiResult<complaint::Model> {
    if assignee.row().status == backbone_entities::tenancy::user::UserStatus::Deactivated {
        return Err(ApiError::bad_input("assigneeId", "a deactivated user cannot be assigned"));
    }
    if assignee.tenant_id() != complaint.tenant_id() {
        return Err(ApiError::NotFound("no user with that id in this tenant".into()));
    }
    let (tenant_id, assignee, id) = (complaint.tenant_id(), assignee.id(), complaint.id());
    let txn = db.begin().await?;
    let current = find(&txn, tenant_id, id).await?;
    let previous = current.assignee_id;
    let mut row: complaint::ActiveModel = current.into();
    row.assignee_id = Set(Some(assignee));
    row.updated_at = Set(Utc::now());
    let updated = row.update(&txn).await?;
    let body = Some(format!("assigned to {assignee}"));
    timeline(&txn, &updated, Entry { kind: EntryKind::Assignment, author: Some(actor), body, change: None })
        .await?;
    let payload = serde_json::json!({"reason": "manual", "previousAssigneeId": previous});
    emit(&txn, &updated, Some(actor), events::ASSIGNED, payload).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}
