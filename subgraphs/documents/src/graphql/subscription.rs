//! `documentStatusChanged`: a document's steps as they happen (created,
//! revised, sent, signed, completed, declined, expired, voided), fed by
//! the event bus and filtered per subscriber: the tenant always, then the
//! documents the caller may see. Permissions are checked when the
//! subscription starts; each event's document is read again, so what
//! arrives is its state after the change.

use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use backbone_entities::documents::document;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use subgraph_kit::{
    bus::subscribe_after,
    graphql::{allow, uuid},
    rbac::Scope,
    tenancy::Ref,
};
use uuid::Uuid;

use super::{objects::Document, reachable};
use crate::domain::documents;

/// The bus events that change what a document looks like.
const CHANGES: [&str; 8] = [
    "document.created",
    "document.versioned",
    "document.signature_requested",
    "document.signed",
    "document.completed",
    "document.declined",
    "document.expired",
    "document.voided",
];

/// One change of a document.
#[derive(SimpleObject)]
pub struct DocumentStatusChange {
    /// The event's id (a resume point: `after`).
    pub event_id: ID,
    /// What happened (`document.signed`, …).
    pub event: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The document after the change.
    pub document: Document,
}

/// Subscription root.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Changes of one document (`documentId`), or of every document the
    /// caller may see.
    /// `after`: the id of the last event a client saw (its `eventId`);
    /// the events the bus still holds since then come first (some of the
    /// last seconds may come again).
    async fn document_status_changed(
        &self,
        ctx: &Context<'_>,
        document_id: Option<ID>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = DocumentStatusChange>> {
        let a = allow(ctx, "document", "read").await?;
        let after = after.map(|id| uuid("after", &id)).transpose()?;
        let only = match &document_id {
            Some(id) => Some(reachable(&a, "documentId", id).await?.id()),
            None => None,
        };
        let (tenant, me, staff, db) =
            (a.caller.tenant_id, a.caller.user_id, a.scope >= Scope::Team, a.kit.db.clone());
        Ok(subscribe_after(&a.kit.bus, after).filter_map(move |event| {
            let db = db.clone();
            async move {
                if event.tenant_id != tenant || !CHANGES.contains(&event.event_type.as_str()) {
                    return None;
                }
                let id = event
                    .payload
                    .get("documentId")
                    .and_then(|v| v.as_str())
                    .and_then(|s| Uuid::parse_str(s).ok())?;
                if only.is_some_and(|o| o != id) {
                    return None;
                }
                let doc = Ref::<document::Entity>::find(&db, tenant, id).await.ok()?;
                let visible = staff || documents::is_own(&db, doc.row(), me).await.ok()?;
                visible.then(|| DocumentStatusChange {
                    event_id: event.id.into(),
                    event: event.event_type.clone(),
                    at: event.occurred_at,
                    document: doc.row().clone().into(),
                })
            }
        }))
    }
}
