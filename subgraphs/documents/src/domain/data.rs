//! Documents' side of the data contract.
//!
//! Export: every document about the person, created by them or that they
//! were asked to sign, with its versions' bytes (base64), signatures and
//! timeline. Erasure: documents about the person go with their bytes in
//! the store, unless on legal hold; where they signed or wrote a
//! document about someone else, that document stays (it is the other
//! person's record, and a sealed copy is evidence of the signature) but
//! no row names them any more: ids, addresses, user agents, typed names
//! and the reasons they wrote are removed and a drawn signature's image
//! is deleted. Retention
//! purges documents of one kind (`documents_<kind>`) by age, bytes
//! included, except those on legal hold or about a person on hold.

use async_trait::async_trait;
use backbone_entities::documents::{
    document::{self, DocumentKind},
    event, signer, template, version,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, sea_query::Expr,
};
use serde_json::{Value, json};
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge},
};
use uuid::Uuid;

use crate::store::Store;

/// Documents' data contract, over the store the files are in.
pub struct DocumentsData {
    /// Where the files are.
    pub store: Store,
}

/// Retention's data types: one per kind of document.
const DATA_TYPES: [(&str, DocumentKind); 6] = [
    ("documents_consent_form", DocumentKind::ConsentForm),
    ("documents_prescription", DocumentKind::Prescription),
    ("documents_referral", DocumentKind::Referral),
    ("documents_report_card", DocumentKind::ReportCard),
    ("documents_invoice", DocumentKind::Invoice),
    ("documents_other", DocumentKind::Other),
];

/// The most documents one export or erasure reads (a person's).
const MAX_DOCUMENTS: u64 = 10_000;

/// Documents the person is asked to act on, in their tenant.
fn asked(who: &Person) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(signer::Column::DocumentId)
        .from(signer::Entity)
        .and_where(signer::Column::TenantId.eq(who.tenant_id))
        .and_where(signer::Column::UserId.eq(who.user_id))
        .to_owned()
}

#[async_trait]
impl DataContract for DocumentsData {
    fn data_types(&self) -> &'static [&'static str] {
        &[
            "documents_consent_form",
            "documents_prescription",
            "documents_referral",
            "documents_report_card",
            "documents_invoice",
            "documents_other",
        ]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<Value> {
        let docs = document::Entity::find()
            .filter(document::Column::TenantId.eq(who.tenant_id))
            .filter(
                Condition::any()
                    .add(document::Column::SubjectUserId.eq(who.user_id))
                    .add(document::Column::CreatedBy.eq(who.user_id))
                    .add(document::Column::Id.in_subquery(asked(who))),
            )
            .limit(MAX_DOCUMENTS)
            .all(db)
            .await?;
        let mut out = Vec::new();
        for d in docs {
            let versions = super::versions::of_document(db, d.tenant_id, d.id).await?;
            let mut files = Vec::new();
            for v in &versions {
                let bytes = self.store.get(&v.storage_key).await?;
                files.push(json!({"number": v.number, "origin": v.origin, "sha256": v.sha256,
                    "createdAt": v.created_at, "contentBase64": STANDARD.encode(&bytes)}));
            }
            let signers = signer::Entity::find()
                .filter(signer::Column::TenantId.eq(d.tenant_id))
                .filter(signer::Column::DocumentId.eq(d.id))
                .filter(signer::Column::UserId.eq(who.user_id))
                .all(db)
                .await?;
            let timeline = super::timeline::of_document(db, &d).await?;
            out.push(json!({
                "id": d.id, "kind": d.kind, "title": d.title, "status": d.status,
                "aboutYou": d.subject_user_id == Some(who.user_id), "createdByYou": d.created_by == who.user_id,
                "data": d.data.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok()),
                "createdAt": d.created_at, "versions": files,
                "yourSignatures": signers.iter().map(|r| json!({"step": r.step, "role": r.role, "status": r.status,
                    "signedAt": r.acted_at, "versionSha256": r.version_sha256, "typedName": r.signature_text,
                    "ip": r.ip, "userAgent": r.user_agent, "declineReason": r.decline_reason})).collect::<Vec<_>>(),
                "timeline": timeline.iter().filter(|e| e.actor_id == Some(who.user_id)).map(|e| json!({
                    "kind": e.kind, "at": e.at, "ip": e.ip, "userAgent": e.user_agent, "version": e.version_number,
                })).collect::<Vec<_>>(),
            }));
        }
        Ok(json!({ "documents": out }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let about = document::Entity::find()
            .filter(document::Column::TenantId.eq(who.tenant_id))
            .filter(document::Column::SubjectUserId.eq(who.user_id))
            .filter(document::Column::LegalHold.eq(false))
            .limit(MAX_DOCUMENTS)
            .all(txn)
            .await?;
        let ids: Vec<Uuid> = about.iter().map(|d| d.id).collect();
        let mut counts = remove(txn, who.tenant_id, &ids).await?;
        // Their drawn signatures on others' documents.
        let drawn = signer::Entity::find()
            .filter(signer::Column::TenantId.eq(who.tenant_id))
            .filter(signer::Column::UserId.eq(who.user_id))
            .filter(signer::Column::SignatureImageKey.is_not_null())
            .all(txn)
            .await?;
        let nobody = Uuid::nil();
        let unlinked = signer::Entity::update_many()
            .col_expr(signer::Column::UserId, Expr::value(nobody))
            .col_expr(signer::Column::Ip, Expr::value(Option::<String>::None))
            .col_expr(signer::Column::UserAgent, Expr::value(Option::<String>::None))
            .col_expr(signer::Column::SignatureText, Expr::value(Option::<String>::None))
            .col_expr(signer::Column::SignatureImageKey, Expr::value(Option::<String>::None))
            .col_expr(signer::Column::DeclineReason, Expr::value(Option::<String>::None))
            .filter(signer::Column::TenantId.eq(who.tenant_id))
            .filter(signer::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        // Their words (a decline's or a void's reason) and the entries
        // naming them first, while their id still finds their own.
        let detail = event::Entity::update_many()
            .col_expr(event::Column::Detail, Expr::value("(erased)"))
            .filter(event::Column::TenantId.eq(who.tenant_id))
            .filter(event::Column::Detail.is_not_null())
            .filter(
                Condition::any()
                    .add(event::Column::ActorId.eq(who.user_id))
                    .add(who.named_in(event::Column::Detail)),
            )
            .exec(txn)
            .await?
            .rows_affected;
        let events = event::Entity::update_many()
            .col_expr(event::Column::ActorId, Expr::value(Option::<Uuid>::None))
            .col_expr(event::Column::Ip, Expr::value(Option::<String>::None))
            .col_expr(event::Column::UserAgent, Expr::value(Option::<String>::None))
            .filter(event::Column::TenantId.eq(who.tenant_id))
            .filter(event::Column::ActorId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let created = document::Entity::update_many()
            .col_expr(document::Column::CreatedBy, Expr::value(nobody))
            .filter(document::Column::TenantId.eq(who.tenant_id))
            .filter(document::Column::CreatedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let templates = template::Entity::update_many()
            .col_expr(template::Column::CreatedBy, Expr::value(nobody))
            .filter(template::Column::TenantId.eq(who.tenant_id))
            .filter(template::Column::CreatedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let versions = version::Entity::update_many()
            .col_expr(version::Column::CreatedBy, Expr::value(Option::<Uuid>::None))
            .filter(version::Column::TenantId.eq(who.tenant_id))
            .filter(version::Column::CreatedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        // The store last: the rows that name these files are gone first.
        for d in &about {
            self.store.delete_prefix(&Store::document_prefix(d.tenant_id, d.id)).await?;
        }
        for r in &drawn {
            if let Some(key) = &r.signature_image_key {
                self.store.delete(key).await?;
            }
        }
        counts.insert("document_signers_unlinked".into(), unlinked);
        counts.insert("document_events_unlinked".into(), events + detail);
        counts.insert("documents_unlinked".into(), created + versions);
        counts.insert("document_templates_unlinked".into(), templates);
        counts.insert("document_signatures_drawn".into(), drawn.len() as u64);
        Ok(counts)
    }

    async fn purge(&self, db: &DatabaseConnection, purge: &Purge) -> ApiResult<u64> {
        let Some((_, kind)) = DATA_TYPES.iter().find(|(t, _)| *t == purge.data_type) else {
            return Ok(0);
        };
        let mut q = document::Entity::find()
            .filter(document::Column::TenantId.eq(purge.tenant_id))
            .filter(document::Column::Kind.eq(*kind))
            .filter(document::Column::CreatedAt.lt(purge.before))
            .filter(document::Column::LegalHold.eq(false));
        if !purge.exceptions.is_empty() {
            q = q.filter(
                Condition::any()
                    .add(document::Column::SubjectUserId.is_null())
                    .add(document::Column::SubjectUserId.is_not_in(purge.exceptions.clone())),
            );
        }
        let old = q.limit(MAX_DOCUMENTS).all(db).await?;
        if purge.dry_run || old.is_empty() {
            return Ok(old.len() as u64);
        }
        let ids: Vec<Uuid> = old.iter().map(|d| d.id).collect();
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        remove(&txn, purge.tenant_id, &ids).await?;
        subgraph_kit::db::commit(txn).await?;
        for d in &old {
            self.store.delete_prefix(&Store::document_prefix(d.tenant_id, d.id)).await?;
        }
        Ok(old.len() as u64)
    }
}

/// Deletes the rows of documents `ids` (the caller deletes their bytes).
async fn remove(db: &impl ConnectionTrait, tenant_id: Uuid, ids: &[Uuid]) -> ApiResult<Counts> {
    let mut counts = Counts::new();
    if ids.is_empty() {
        return Ok(counts);
    }
    let events = event::Entity::delete_many()
        .filter(event::Column::TenantId.eq(tenant_id))
        .filter(event::Column::DocumentId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    let signers = signer::Entity::delete_many()
        .filter(signer::Column::TenantId.eq(tenant_id))
        .filter(signer::Column::DocumentId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    let versions = version::Entity::delete_many()
        .filter(version::Column::TenantId.eq(tenant_id))
        .filter(version::Column::DocumentId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    let docs = document::Entity::delete_many()
        .filter(document::Column::TenantId.eq(tenant_id))
        .filter(document::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    counts.insert("document_events".into(), events.rows_affected);
    counts.insert("document_signers".into(), signers.rows_affected);
    counts.insert("document_versions".into(), versions.rows_affected);
    counts.insert("documents".into(), docs.rows_affected);
    Ok(counts)
}
