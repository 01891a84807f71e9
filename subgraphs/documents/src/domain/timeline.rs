//! A document's timeline: who did what to which version, from which
//! address and user agent, and when. The completion certificate prints
//! it; DSAR exports it.

use backbone_entities::documents::{
    document,
    event::{self, EventKind},
    version,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use subgraph_kit::ApiResult;
use uuid::Uuid;

/// Who acted, and from where.
#[derive(Debug, Clone, Default)]
pub struct By {
    /// The user (none for the platform).
    pub user: Option<Uuid>,
    /// Their address.
    pub ip: Option<String>,
    /// Their user agent.
    pub user_agent: Option<String>,
}

impl By {
    /// A user, address unknown.
    pub fn user(user: Uuid) -> Self {
        Self { user: Some(user), ..Self::default() }
    }
}

/// Appends an event to `doc`'s timeline.
pub async fn record(
    db: &impl ConnectionTrait,
    doc: &document::Model,
    kind: EventKind,
    by: By,
    v: Option<&version::Model>,
    detail: Option<String>,
) -> ApiResult<()> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(doc.tenant_id),
        document_id: Set(doc.id),
        kind: Set(kind),
        actor_id: Set(by.user),
        version_number: Set(v.map(|v| v.number)),
        sha256: Set(v.map(|v| v.sha256.clone())),
        ip: Set(by.ip),
        user_agent: Set(by.user_agent.map(|ua| ua.chars().take(500).collect())),
        detail: Set(detail),
        at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The most events [`of_document`] reads.
pub const MAX_EVENTS: u64 = 1_000;

/// `doc`'s timeline, oldest first.
pub async fn of_document(db: &impl ConnectionTrait, doc: &document::Model) -> ApiResult<Vec<event::Model>> {
    Ok(event::Entity::find()
        .filter(event::Column::TenantId.eq(doc.tenant_id))
        .filter(event::Column::DocumentId.eq(doc.id))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .limit(MAX_EVENTS)
        .all(db)
        .await?)
}
