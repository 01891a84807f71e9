//! API types: templates, documents, versions, timeline events, links.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use backbone_entities::documents::{
    document::{self, DocumentKind as StoredKind, DocumentStatus as StoredStatus},
    event::{self, EventKind as StoredEvent},
    signer::{self, SignerRole as StoredRole, SignerStatus as StoredSignerStatus},
    template,
    version::{self, VersionOrigin as StoredOrigin},
};
use chrono::{DateTime, Utc};
use subgraph_kit::mirror_enum;

use super::services;
use crate::domain::{
    fields::{Field, FieldKind as StoredField},
    signing, templates, timeline, versions,
};

mirror_enum!(
    /// What a document is.
    DocumentKind = StoredKind { ConsentForm, Prescription, Referral, ReportCard, Invoice, Other }
);
mirror_enum!(
    /// Where a document is in signing.
    DocumentStatus = StoredStatus { Draft, Pending, Completed, Declined, Expired, Voided }
);
mirror_enum!(
    /// How a version came to be.
    VersionOrigin = StoredOrigin { Generated, Uploaded, Completed }
);
mirror_enum!(
    /// What a template field holds.
    FieldKind = StoredField { Text, Number, Date, Choice, Checkbox, Signature, Initials }
);
mirror_enum!(
    /// What happened to a document.
    DocumentEventKind = StoredEvent {
        Created, Versioned, Sent, Invited, Reminded, Signed, Declined, SignaturesVoided, Completed, Expired,
        Voided, LinkMade, Downloaded
    }
);

/// One field of a template.
#[derive(SimpleObject)]
pub struct TemplateField {
    /// How the markup names it.
    pub key: String,
    /// What a person filling it sees.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether it must be filled.
    pub required: bool,
    /// Text: the most characters.
    pub max_length: Option<u32>,
    /// Number: the smallest value.
    pub min: Option<f64>,
    /// Number: the largest value.
    pub max: Option<f64>,
    /// Choice: the allowed values.
    pub options: Vec<String>,
    /// Signature: the signing role that fills it.
    pub signer_role: Option<String>,
}

impl From<Field> for TemplateField {
    fn from(f: Field) -> Self {
        Self {
            key: f.key,
            label: f.label,
            kind: f.kind.into(),
            required: f.required,
            max_length: f.max_length,
            min: f.min,
            max: f.max,
            options: f.options,
            signer_role: f.signer_role,
        }
    }
}

/// One version of a template.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DocumentTemplate {
    /// Id of this version.
    pub id: ID,
    /// The name every version shares.
    pub key: String,
    /// 1, 2, …
    pub version: i32,
    /// What people call it.
    pub name: String,
    /// What documents made from it are.
    pub kind: DocumentKind,
    /// Typst markup.
    pub markup: String,
    /// When this version was saved.
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: template::Model,
}

#[ComplexObject]
impl DocumentTemplate {
    /// Its typed fields.
    async fn fields(&self) -> Result<Vec<TemplateField>> {
        Ok(templates::fields_of(&self.row)?.into_iter().map(Into::into).collect())
    }
}

impl From<template::Model> for DocumentTemplate {
    fn from(t: template::Model) -> Self {
        Self {
            id: ID(t.id.to_string()),
            key: t.key.clone(),
            version: t.version,
            name: t.name.clone(),
            kind: t.kind.into(),
            markup: t.markup.clone(),
            created_at: t.created_at,
            row: t,
        }
    }
}

/// An immutable version of a document.
#[derive(SimpleObject)]
pub struct DocumentVersion {
    /// 1, 2, …
    pub number: i32,
    /// How it came to be.
    pub origin: VersionOrigin,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size.
    pub size_bytes: i64,
    /// `application/pdf`.
    pub content_type: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl From<version::Model> for DocumentVersion {
    fn from(v: version::Model) -> Self {
        Self {
            number: v.number,
            origin: v.origin.into(),
            sha256: v.sha256,
            size_bytes: v.size_bytes,
            content_type: v.content_type,
            created_at: v.created_at,
        }
    }
}

/// One entry of a document's timeline.
#[derive(SimpleObject)]
pub struct DocumentEvent {
    /// What happened.
    pub kind: DocumentEventKind,
    /// Who did it (none for the platform).
    pub actor_id: Option<ID>,
    /// The version it concerned.
    pub version_number: Option<i32>,
    /// That version's SHA-256.
    pub sha256: Option<String>,
    /// The actor's address.
    pub ip: Option<String>,
    /// The actor's user agent.
    pub user_agent: Option<String>,
    /// A reason or a note.
    pub detail: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<event::Model> for DocumentEvent {
    fn from(e: event::Model) -> Self {
        Self {
            kind: e.kind.into(),
            actor_id: e.actor_id.map(|a| ID(a.to_string())),
            version_number: e.version_number,
            sha256: e.sha256,
            ip: e.ip,
            user_agent: e.user_agent,
            detail: e.detail,
            at: e.at,
        }
    }
}

/// A document.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Document {
    /// Id.
    pub id: ID,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Where it is in signing.
    pub status: DocumentStatus,
    /// The person it is about.
    pub subject_user_id: Option<ID>,
    /// The appointment it belongs to.
    pub appointment_id: Option<ID>,
    /// The complaint it belongs to.
    pub complaint_id: Option<ID>,
    /// The invoice it renders.
    pub invoice_id: Option<ID>,
    /// The number of its current version.
    pub current_version: i32,
    /// Kept whatever erasure or retention asks.
    pub legal_hold: bool,
    /// Signing must be done by then.
    pub signing_deadline: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: document::Model,
}

#[ComplexObject]
impl Document {
    /// Every version, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<DocumentVersion>> {
        let s = services(ctx)?;
        Ok(versions::of_document(&s.db, self.row.tenant_id, self.row.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Who is asked to act, by step (requests voided by a new version are
    /// not listed).
    async fn signers(&self, ctx: &Context<'_>) -> Result<Vec<Signer>> {
        let s = services(ctx)?;
        Ok(signing::active(&s.db, &self.row).await?.into_iter().map(Into::into).collect())
    }

    /// What happened to it, oldest first.
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<DocumentEvent>> {
        let s = services(ctx)?;
        Ok(timeline::of_document(&s.db, &self.row).await?.into_iter().map(Into::into).collect())
    }
}

fn id(u: Option<uuid::Uuid>) -> Option<ID> {
    u.map(|u| ID(u.to_string()))
}

impl From<document::Model> for Document {
    fn from(d: document::Model) -> Self {
        Self {
            id: ID(d.id.to_string()),
            kind: d.kind.into(),
            title: d.title.clone(),
            status: d.status.into(),
            subject_user_id: id(d.subject_user_id),
            appointment_id: id(d.appointment_id),
            complaint_id: id(d.complaint_id),
            invoice_id: id(d.invoice_id),
            current_version: d.current_version,
            legal_hold: d.legal_hold,
            signing_deadline: d.signing_deadline,
            created_at: d.created_at,
            updated_at: d.updated_at,
            row: d,
        }
    }
}

/// A short-lived link to a version's bytes.
#[derive(SimpleObject)]
pub struct DownloadLink {
    /// Fetch it with a plain GET; no token needed.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

mirror_enum!(
    /// What a signer is asked to do.
    SignerRole = StoredRole { Signer, Approver, Viewer }
);
mirror_enum!(
    /// Where a signer is.
    SignerStatus = StoredSignerStatus { Waiting, Pending, Signed, Declined, Voided }
);

/// Someone asked to act on a document.
#[derive(SimpleObject)]
pub struct Signer {
    /// Id.
    pub id: ID,
    /// Their step: steps go in order, one step's people in parallel.
    pub step: i32,
    /// What they are asked to do.
    pub role: SignerRole,
    /// The template signer role whose fields they fill.
    pub field_role: Option<String>,
    /// Who.
    pub user_id: ID,
    /// Where they are.
    pub status: SignerStatus,
    /// When they were asked.
    pub invited_at: Option<DateTime<Utc>>,
    /// When they signed or declined.
    pub acted_at: Option<DateTime<Utc>>,
    /// The version they signed.
    pub version_number: Option<i32>,
    /// That version's SHA-256: the signature is bound to it.
    pub version_sha256: Option<String>,
    /// `typed` or `drawn`.
    pub signature_kind: Option<String>,
    /// Why they declined.
    pub decline_reason: Option<String>,
}

impl From<signer::Model> for Signer {
    fn from(r: signer::Model) -> Self {
        Self {
            id: ID(r.id.to_string()),
            step: r.step,
            role: r.role.into(),
            field_role: r.field_role,
            user_id: ID(r.user_id.to_string()),
            status: r.status.into(),
            invited_at: r.invited_at,
            acted_at: r.acted_at,
            version_number: r.version_number,
            version_sha256: r.version_sha256,
            signature_kind: r.signature_kind,
            decline_reason: r.decline_reason,
        }
    }
}
