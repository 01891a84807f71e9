//! Documents: generated from a template and data or uploaded as a PDF,
//! linked to the people and records they concern, revised into new
//! versions, listed, and handed out through signed links.

use backbone_entities::{
    billing::invoice,
    complaints::complaint,
    documents::{
        document::{self, DocumentKind, DocumentStatus},
        event::EventKind,
        signer::{self, SignerStatus},
        version::{self, VersionOrigin},
    },
    scheduling::appointment,
    tenancy::user,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::{Value, json};
use subgraph_kit::{ApiError, ApiResult, audit, outbox, tenancy::Ref};
use uuid::Uuid;

use super::{
    Services, fields, invalid,
    rendering::{self, Page},
    templates,
    versions::{self, NewVersion},
};
use super::{signing, timeline};
use crate::links::Grant;

/// Whom and what a document concerns; each id is checked in the caller's
/// tenant before it is stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subjects {
    /// The person it is about.
    pub user_id: Option<Uuid>,
    /// The appointment.
    pub appointment_id: Option<Uuid>,
    /// The complaint.
    pub complaint_id: Option<Uuid>,
    /// The invoice.
    pub invoice_id: Option<Uuid>,
}

impl Subjects {
    /// Checks every id in `tenant_id`.
    pub async fn check(self, db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Self> {
        if let Some(id) = self.user_id {
            Ref::<user::Entity>::find(db, tenant_id, id).await?;
        }
        if let Some(id) = self.appointment_id {
            Ref::<appointment::Entity>::find(db, tenant_id, id).await?;
        }
        if let Some(id) = self.complaint_id {
            Ref::<complaint::Entity>::find(db, tenant_id, id).await?;
        }
        if let Some(id) = self.invoice_id {
            Ref::<invoice::Entity>::find(db, tenant_id, id).await?;
        }
        Ok(self)
    }
}

/// What a new document starts from.
pub enum Source {
    /// A template version and the data to fill it with.
    Template {
        /// The template version (in the caller's tenant).
        template: Box<Ref<backbone_entities::documents::template::Entity>>,
        /// Values by field key.
        data: Value,
    },
    /// An uploaded PDF.
    Upload {
        /// What it is.
        kind: DocumentKind,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// Creates a document with its first version.
pub async fn create(
    services: &Services,
    tenant_id: Uuid,
    actor: Uuid,
    title: String,
    source: Source,
    subjects: Subjects,
) -> ApiResult<(document::Model, version::Model)> {
    let title = check_title(title)?;
    let subjects = subjects.check(&services.db, tenant_id).await?;
    let id = Uuid::now_v7();
    let (kind, template_id, data, bytes, origin) = match source {
        Source::Template { template, data } => {
            let t = template.row();
            let filled = fields::fill(&templates::fields_of(t)?, &data)?;
            let page = Page {
                markup: t.markup.clone(),
                title: title.clone(),
                marker: Some(id),
                filled: filled.clone(),
                ..Page::default()
            };
            let bytes = rendering::pdf(services, page).await?;
            versions::check_size(services, &bytes)?;
            (t.kind, Some(t.id), Some(Value::Object(filled.raw).to_string()), bytes, VersionOrigin::Generated)
        }
        Source::Upload { kind, bytes } => {
            versions::check_pdf(services, &bytes)?;
            (kind, None, None, bytes, VersionOrigin::Uploaded)
        }
    };
    let now = Utc::now();
    let txn = services.db.begin().await?;
    let doc = document::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        kind: Set(kind),
        title: Set(title),
        status: Set(DocumentStatus::Draft),
        template_id: Set(template_id),
        data: Set(data),
        subject_user_id: Set(subjects.user_id),
        appointment_id: Set(subjects.appointment_id),
        complaint_id: Set(subjects.complaint_id),
        invoice_id: Set(subjects.invoice_id),
        current_version: Set(1),
        legal_hold: Set(false),
        signing_deadline: Set(None),
        created_by: Set(actor),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let new =
        NewVersion { tenant_id, document_id: id, number: 1, origin, created_by: Some(actor), seal: None };
    let v = versions::write(services, &txn, new, bytes).await?;
    timeline::record(&txn, &doc, EventKind::Created, timeline::By::user(actor), Some(&v), None).await?;
    audit::append(
        &txn,
        tenant_id,
        Some(actor),
        audit::AuditEntry {
            event_type: "document.created",
            resource_type: "document",
            resource_id: id.to_string(),
            data: json!({"kind": kind, "sha256": v.sha256, "template_id": template_id}),
        },
    )
    .await?;
    let payload = event_payload(&doc, &v);
    outbox::enqueue(&txn, tenant_id, Some(actor), "document.created", payload).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok((doc, v))
}

/// What a revision changes.
pub enum Revision {
    /// New data for a generated document (re-rendered from its template).
    Data(Value),
    /// A new PDF.
    File(Vec<u8>),
}

/// Writes the next version of `doc`.
pub async fn revise(
    services: &Services,
    doc: Ref<document::Entity>,
    actor: Uuid,
    revision: Revision,
) -> ApiResult<(document::Model, version::Model)> {
    let current = doc.row().clone();
    if matches!(current.status, DocumentStatus::Completed | DocumentStatus::Voided) {
        return Err(ApiError::conflict(
            "DOCUMENT_CLOSED",
            "a completed or voided document takes no new version",
        ));
    }
    let (bytes, data, origin) = match revision {
        Revision::Data(data) => {
            let template_id = current
                .template_id
                .ok_or_else(|| invalid("NOT_GENERATED", "an uploaded document is revised with a new file"))?;
            let template = Ref::<backbone_entities::documents::template::Entity>::find(
                &services.db,
                doc.tenant_id(),
                template_id,
            )
            .await?;
            let filled = fields::fill(&templates::fields_of(template.row())?, &data)?;
            let page = Page {
                markup: template.row().markup.clone(),
                title: current.title.clone(),
                marker: Some(current.id),
                filled: filled.clone(),
                ..Page::default()
            };
            let bytes = rendering::pdf(services, page).await?;
            versions::check_size(services, &bytes)?;
            (bytes, Some(Value::Object(filled.raw).to_string()), VersionOrigin::Generated)
        }
        Revision::File(bytes) => {
            versions::check_pdf(services, &bytes)?;
            (bytes, current.data.clone(), VersionOrigin::Uploaded)
        }
    };
    let txn = services.db.begin().await?;
    // Re-read under the transaction: two revisions at once get numbers in turn.
    let fresh = document::Entity::find_by_id(current.id)
        .filter(document::Column::TenantId.eq(doc.tenant_id()))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such document".into()))?;
    let number = fresh.current_version + 1;
    let new = NewVersion {
        tenant_id: fresh.tenant_id,
        document_id: fresh.id,
        number,
        origin,
        created_by: Some(actor),
        seal: None,
    };
    let v = versions::write(services, &txn, new, bytes).await?;
    let mut row = fresh.into_active_model();
    row.current_version = Set(number);
    row.data = Set(data);
    row.updated_at = Set(Utc::now());
    let doc = row.update(&txn).await?;
    timeline::record(&txn, &doc, EventKind::Versioned, timeline::By::user(actor), Some(&v), None).await?;
    let doc = signing::restart(&txn, doc).await?;
    outbox::enqueue(&txn, doc.tenant_id, Some(actor), "document.versioned", event_payload(&doc, &v)).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok((doc, v))
}

/// Sets or lifts `doc`'s legal hold.
pub async fn set_legal_hold(
    services: &Services,
    doc: Ref<document::Entity>,
    actor: Uuid,
    hold: bool,
) -> ApiResult<document::Model> {
    let txn = services.db.begin().await?;
    let mut row = doc.row().clone().into_active_model();
    row.legal_hold = Set(hold);
    row.updated_at = Set(Utc::now());
    let d = row.update(&txn).await?;
    let entry = audit::AuditEntry {
        event_type: "document.legal_hold_set",
        resource_type: "document",
        resource_id: d.id.to_string(),
        data: json!({"hold": hold}),
    };
    audit::append(&txn, d.tenant_id, Some(actor), entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(d)
}

/// Which documents to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// About this person.
    pub subject_user_id: Option<Uuid>,
    /// Of this appointment.
    pub appointment_id: Option<Uuid>,
    /// Of this complaint.
    pub complaint_id: Option<Uuid>,
    /// Only documents this user may see as their own (subject, creator or
    /// asked to sign).
    pub own: Option<Uuid>,
}

/// The most documents one list returns.
pub const MAX_PAGE: u64 = 100;

/// The tenant's documents matching `filter`, newest first, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    filter: Filter,
    limit: u64,
) -> ApiResult<Vec<document::Model>> {
    let mut q = document::Entity::find().filter(document::Column::TenantId.eq(tenant_id));
    if let Some(id) = filter.subject_user_id {
        q = q.filter(document::Column::SubjectUserId.eq(id));
    }
    if let Some(id) = filter.appointment_id {
        q = q.filter(document::Column::AppointmentId.eq(id));
    }
    if let Some(id) = filter.complaint_id {
        q = q.filter(document::Column::ComplaintId.eq(id));
    }
    if let Some(me) = filter.own {
        let asked = sea_orm::sea_query::Query::select()
            .column(signer::Column::DocumentId)
            .from(signer::Entity)
            .and_where(signer::Column::TenantId.eq(tenant_id))
            .and_where(signer::Column::UserId.eq(me))
            .and_where(signer::Column::Status.ne(SignerStatus::Voided))
            .to_owned();
        q = q.filter(
            sea_orm::Condition::any()
                .add(document::Column::SubjectUserId.eq(me))
                .add(document::Column::CreatedBy.eq(me))
                .add(document::Column::Id.in_subquery(asked)),
        );
    }
    Ok(q.order_by_desc(document::Column::CreatedAt).limit(limit.clamp(1, MAX_PAGE)).all(db).await?)
}

/// Whether `user` may see `doc` as their own: its subject, its creator,
/// or someone asked to act on it.
pub async fn is_own(db: &impl ConnectionTrait, doc: &document::Model, user: Uuid) -> ApiResult<bool> {
    Ok(doc.subject_user_id == Some(user)
        || doc.created_by == user
        || signing::is_signer(db, doc, user).await?)
}

/// A signed link to a version of `doc` for `user`, and when it expires.
pub async fn link(
    services: &Services,
    doc: &document::Model,
    number: Option<i32>,
    user: Uuid,
) -> ApiResult<(String, DateTime<Utc>)> {
    let v = versions::numbered(&services.db, doc.tenant_id, doc.id, number.unwrap_or(doc.current_version))
        .await?;
    let expires_at = DateTime::from_timestamp((Utc::now() + services.settings.link_ttl()).timestamp(), 0)
        .ok_or_else(|| ApiError::Internal("link expiry out of range".into()))?;
    let token =
        services.links.sign(&Grant { tenant_id: doc.tenant_id, version_id: v.id, user_id: user, expires_at });
    let base = services.settings.public_url.as_deref().unwrap_or("/files/documents").trim_end_matches('/');
    Ok((format!("{base}/{token}"), expires_at))
}

fn check_title(title: String) -> ApiResult<String> {
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(invalid("INVALID_TITLE", "a title is 1 to 300 characters"));
    }
    Ok(title)
}

/// The payload of a document event on the bus.
pub fn event_payload(doc: &document::Model, v: &version::Model) -> Value {
    json!({
        "documentId": doc.id,
        "kind": doc.kind,
        "status": doc.status,
        "version": v.number,
        "sha256": v.sha256,
        "subjectUserId": doc.subject_user_id,
    })
}
