//! The complaints domain as plain functions over a database connection.
//!
//! Every function scopes its queries by the tenant it is given; permission
//! checks happen in the GraphQL layer. Each change writes its timeline
//! entry, audit event and outbox events in one transaction, and the event
//! payload carries the complaint as it is after the change, so subscribers
//! render it without reading the database.

pub mod admin;
pub mod calendar;
pub mod data;
pub mod engine;
pub mod from_devices;
pub mod intake;
pub mod lifecycle;
pub mod lists;
pub mod metrics;

use backbone_entities::complaints::{
    complaint,
    timeline_entry::{self, EntryKind},
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

/// Event types this domain emits.
pub mod events {
    pub use backbone_schema::event_types::{COMPLAINT_ESCALATED, COMPLAINT_STATUS_CHANGED};
    /// A complaint was filed.
    pub const FILED: &str = "complaint.filed";
    /// A complaint was (re)assigned.
    pub const ASSIGNED: &str = "complaint.assigned";
    /// An SLA target was missed.
    pub const SLA_BREACHED: &str = "complaint.sla_breached";
    /// A comment visible to the complainant was added.
    pub const COMMENTED: &str = "complaint.commented";
}

/// Lifecycle statuses.
pub mod status {
    pub use backbone_entities::complaints::complaint::ComplaintStatus as Status;

    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Submitted,
        Status::Acknowledged,
        Status::InProgress,
        Status::OnHold,
        Status::Resolved,
        Status::Closed,
    ];
    /// Statuses in which a complaint counts as open.
    pub const OPEN: [Status; 4] =
        [Status::Submitted, Status::Acknowledged, Status::InProgress, Status::OnHold];
}

/// Whether `from → to` is a lifecycle step. Reopening (resolved or closed
/// back to in progress) is its own operation.
pub fn allowed(from: status::Status, to: status::Status) -> bool {
    use status::Status::*;
    matches!(
        (from, to),
        (Submitted, Acknowledged)
            | (Acknowledged, InProgress)
            | (Acknowledged, Resolved)
            | (InProgress, OnHold)
            | (OnHold, InProgress)
            | (InProgress, Resolved)
            | (Resolved, Closed)
    )
}

/// A timeline entry to append.
pub struct Entry<'a> {
    /// What happened.
    pub kind: EntryKind,
    /// Author; `None` for the system.
    pub author: Option<Uuid>,
    /// Text.
    pub body: Option<String>,
    /// Status change, if any.
    pub change: Option<(&'a str, &'a str)>,
}

/// Appends a timeline entry.
pub(crate) async fn timeline(txn: &DatabaseTransaction, c: &complaint::Model, e: Entry<'_>) -> ApiResult<()> {
    timeline_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(c.tenant_id),
        complaint_id: Set(c.id),
        kind: Set(e.kind),
        author_id: Set(e.author),
        body: Set(e.body),
        from_status: Set(e.change.map(|(f, _)| f.to_owned())),
        to_status: Set(e.change.map(|(_, t)| t.to_owned())),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Writes the audit event and the outbox event of one change; the payload
/// is `extra` plus the complaint after the change.
pub(crate) async fn emit(
    txn: &DatabaseTransaction,
    c: &complaint::Model,
    actor: Option<Uuid>,
    event_type: &'static str,
    mut extra: serde_json::Value,
) -> ApiResult<()> {
    let snapshot = serde_json::to_value(c).map_err(|e| ApiError::Internal(e.to_string()))?;
    audit::append(
        txn,
        c.tenant_id,
        actor,
        AuditEntry {
            event_type,
            resource_type: "complaint",
            resource_id: c.id.to_string(),
            data: extra.clone(),
        },
    )
    .await?;
    extra["complaintId"] = c.id.to_string().into();
    extra["assigneeId"] = c.assignee_id.map(|u| u.to_string()).into();
    extra["reporterId"] = c.reporter_id.map(|u| u.to_string()).into();
    extra["complaint"] = snapshot;
    outbox::enqueue(txn, c.tenant_id, actor, event_type, extra).await?;
    Ok(())
}

/// Loads a complaint of `tenant_id`, or NOT_FOUND (also for other tenants').
pub async fn find(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<complaint::Model> {
    complaint::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.tenant_id == tenant_id)
        .ok_or_else(|| ApiError::NotFound("no such complaint".into()))
}
