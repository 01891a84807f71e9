//! Reading the audit log of a tenant.

use backbone_entities::platform::audit_event;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use subgraph_kit::{
    ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

/// Filters for the audit log; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Who acted.
    pub actor_id: Option<Uuid>,
    /// Event type, e.g. `user.invited`.
    pub event_type: Option<String>,
    /// Resource kind.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// One page of a tenant's audit events, newest first; the cursor is the
/// event's sequence number.
pub async fn query(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    filter: &AuditFilter,
    page: &Page,
) -> ApiResult<Paged<audit_event::Model>> {
    let after = page.cursor(|c| c.parse::<i64>().ok())?;
    let mut q = audit_event::Entity::find().filter(audit_event::Column::TenantId.eq(tenant_id));
    if let Some(seq) = after {
        q = q.filter(audit_event::Column::Seq.lt(seq));
    }
    if let Some(actor) = filter.actor_id {
        q = q.filter(audit_event::Column::ActorId.eq(actor));
    }
    if let Some(t) = &filter.event_type {
        q = q.filter(audit_event::Column::EventType.eq(t.as_str()));
    }
    if let Some(t) = &filter.resource_type {
        q = q.filter(audit_event::Column::ResourceType.eq(t.as_str()));
    }
    if let Some(id) = &filter.resource_id {
        q = q.filter(audit_event::Column::ResourceId.eq(id.as_str()));
    }
    if let Some(from) = filter.from {
        q = q.filter(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(audit_event::Column::OccurredAt.lt(to));
    }
    let rows = q.order_by_desc(audit_event::Column::Seq).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}
