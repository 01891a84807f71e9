//! Completing a signed document: the signed version rendered with every
//! signature in its fields (or, for an uploaded PDF, its pages as they
//! are), followed by a completion certificate (original and signed
//! SHA-256, every signer, every event with time, address and user agent),
//! kept as a new version sealed with the platform's Ed25519 key.

use backbone_entities::{
    documents::{
        document::{self, DocumentStatus},
        event::EventKind,
        signer::{self, SignerRole, SignerStatus},
        template,
        version::{self, VersionOrigin},
    },
    tenancy::user,
};
use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::{Value, json};
use subgraph_kit::{ApiError, ApiResult, audit, outbox, tenancy::Ref};
use uuid::Uuid;

use super::{
    Services, fields,
    rendering::{self, Mark, Page},
    templates, timeline,
    timeline::By,
    versions::{self, NewVersion},
};

/// Seals `d` (locked in `txn`), whose signers `rows` have all signed
/// version `signed`; returns the completed document.
pub async fn complete(
    s: &Services,
    txn: &DatabaseTransaction,
    d: document::Model,
    rows: &[signer::Model],
    signed: &version::Model,
) -> ApiResult<document::Model> {
    let names = names(txn, &d, rows).await?;
    let original = versions::numbered(txn, d.tenant_id, d.id, 1).await?;
    let now = Utc::now();
    let signers: Vec<Value> = rows
        .iter()
        .filter(|r| r.role != SignerRole::Viewer && r.status == SignerStatus::Signed)
        .map(|r| {
            json!({
                "step": r.step,
                "name": names.iter().find(|n| n.0 == r.user_id).map_or_else(|| r.user_id.to_string(), |n| n.1.clone()),
                "role": format!("{:?}", r.role).to_lowercase(),
                "at": r.acted_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default(),
                "signature": r.signature_text.clone().map_or_else(|| "drawn".to_owned(), |t| format!("typed \"{t}\"")),
                "ip": r.ip.clone().unwrap_or_else(|| "address unknown".into()),
                "version": r.version_number.unwrap_or_default(),
                "sha256": r.version_sha256.clone().unwrap_or_default(),
            })
        })
        .collect();
    let events: Vec<Value> = timeline::of_document(txn, &d)
        .await?
        .into_iter()
        .map(|e| {
            let name =
                |id: Uuid| names.iter().find(|n| n.0 == id).map_or_else(|| id.to_string(), |n| n.1.clone());
            // Invitations and reminders name whom they went to.
            let to = e
                .detail
                .as_deref()
                .and_then(|d| d.strip_prefix("user "))
                .and_then(|u| Uuid::parse_str(u).ok());
            let by = match (e.actor_id, to) {
                (Some(actor), _) => name(actor),
                (None, Some(to)) => format!("platform, to {}", name(to)),
                (None, None) => "platform".to_owned(),
            };
            json!({
                "at": e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "kind": format!("{:?}", e.kind).to_lowercase(),
                "by": by,
                "ip": e.ip.unwrap_or_else(|| "-".into()),
                "user_agent": e.user_agent.unwrap_or_else(|| "-".into()),
                "version": e.version_number.map_or_else(|| "-".to_owned(), |v| format!("v{v}")),
            })
        })
        .collect();
    let certificate = json!({
        "title": d.title,
        "document_id": d.id.to_string(),
        "original": {"number": original.number, "sha256": original.sha256},
        "signed": {"number": signed.number, "sha256": signed.sha256},
        "completed_at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "seal_key_id": s.sealer.key_id(),
        "signers": signers,
        "events": events,
    });
    let page = match d.template_id {
        Some(template_id) => generated_page(s, txn, &d, template_id, rows).await?,
        None => uploaded_page(s, signed).await?,
    };
    let page = Page { title: d.title.clone(), marker: Some(d.id), certificate: Some(certificate), ..page };
    let bytes = rendering::pdf(s, page).await?;
    let seal = s.sealer.seal(&versions::sha256(&bytes));
    let number = d.current_version + 1;
    let new = NewVersion {
        tenant_id: d.tenant_id,
        document_id: d.id,
        number,
        origin: VersionOrigin::Completed,
        created_by: None,
        seal: Some(seal),
    };
    let sealed = versions::write(s, txn, new, bytes).await?;
    let mut row = d.into_active_model();
    row.status = Set(DocumentStatus::Completed);
    row.current_version = Set(number);
    row.updated_at = Set(now);
    let d = row.update(txn).await?;
    timeline::record(txn, &d, EventKind::Completed, By::default(), Some(&sealed), None).await?;
    let mut recipients: Vec<Uuid> = rows.iter().map(|r| r.user_id).chain([d.created_by]).collect();
    recipients.sort_unstable();
    recipients.dedup();
    let payload = json!({"documentId": d.id, "kind": d.kind, "title": d.title, "status": d.status,
        "version": number, "sha256": sealed.sha256, "recipientIds": recipients});
    outbox::enqueue(txn, d.tenant_id, None, "document.completed", payload).await?;
    let data = json!({"version": number, "sha256": sealed.sha256});
    let entry = audit::AuditEntry {
        event_type: "document.completed",
        resource_type: "document",
        resource_id: d.id.to_string(),
        data,
    };
    audit::append(txn, d.tenant_id, None, entry).await?;
    Ok(d)
}

/// The display names of the people in `rows` and the creator.
async fn names(
    txn: &DatabaseTransaction,
    d: &document::Model,
    rows: &[signer::Model],
) -> ApiResult<Vec<(Uuid, String)>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).chain([d.created_by]).collect();
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(d.tenant_id))
        .filter(user::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{} <{}>", u.display_name, u.email)))
        .collect())
}

/// The template rendered again with the document's data and every
/// signature in its field, then the certificate.
async fn generated_page(
    s: &Services,
    txn: &DatabaseTransaction,
    d: &document::Model,
    template_id: Uuid,
    rows: &[signer::Model],
) -> ApiResult<Page> {
    let t = Ref::<template::Entity>::find(txn, d.tenant_id, template_id).await?;
    let fields = templates::fields_of(t.row())?;
    let data: Value = d
        .data
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::Internal(format!("document {} data: {e}", d.id)))?
        .unwrap_or_else(|| json!({}));
    let filled = fields::fill(&fields, &data)?;
    let signed: Vec<&signer::Model> =
        rows.iter().filter(|r| r.role == SignerRole::Signer && r.status == SignerStatus::Signed).collect();
    let mut marks = Vec::new();
    for f in fields.iter().filter(|f| f.kind.is_signed()) {
        let by = match &f.signer_role {
            Some(role) => signed.iter().find(|r| r.field_role.as_deref() == Some(role)),
            None => signed.first(),
        };
        let Some(by) = by else { continue };
        let mark = match (&by.signature_text, &by.signature_image_key) {
            (_, Some(key)) => Mark::Drawn(s.store.get(key).await?.to_vec()),
            (Some(text), None) => {
                let text = if f.kind == fields::FieldKind::Initials { initials(text) } else { text.clone() };
                Mark::Typed(text)
            }
            (None, None) => continue,
        };
        marks.push((f.key.clone(), mark));
    }
    Ok(Page {
        markup: format!("{}\n#pagebreak()\n#certificate()\n", t.row().markup),
        filled,
        marks,
        ..Page::default()
    })
}

/// The initials of a typed name.
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect()
}

/// The uploaded PDF's pages as they are, then the certificate.
async fn uploaded_page(s: &Services, signed: &version::Model) -> ApiResult<Page> {
    let bytes = versions::read(s, signed).await?.to_vec();
    let pages = lopdf::Document::load_mem(&bytes)
        .map_err(|e| ApiError::Internal(format!("version {} no longer reads as a PDF: {e}", signed.id)))?
        .get_pages()
        .len();
    Ok(Page {
        markup: "#original-pages()\n#certificate()\n".into(),
        original: Some((bytes, pages)),
        ..Page::default()
    })
}
