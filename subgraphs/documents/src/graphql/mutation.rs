//! Mutations: saving templates, generating and uploading documents,
//! revising them, and making download links.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::documents::template;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use subgraph_kit::{
    ApiError, ApiResult,
    graphql::{allow, uuid},
    rbac::Scope,
    tenancy::Ref,
};

use super::{inputs::*, objects::*, reachable, services};
use crate::domain::{
    documents::{self, Revision, Source, Subjects},
    invalid, templates,
};

/// Mutation root: documents and templates, and signing.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    DocumentsMutation,
    super::signing::SigningMutation,
    super::prescriptions::PrescriptionMutation,
);

/// Documents and templates.
#[derive(Default)]
pub struct DocumentsMutation;

#[Object]
impl DocumentsMutation {
    /// Saves a template as the next version of its key. The markup is
    /// rendered once with sample values first; a template that does not
    /// render is refused with the line and Typst's message.
    async fn save_document_template(
        &self,
        ctx: &Context<'_>,
        input: SaveDocumentTemplateInput,
    ) -> Result<DocumentTemplate> {
        let a = allow(ctx, "document_template", "manage").await?;
        let new = templates::NewTemplate {
            key: input.key,
            name: input.name,
            kind: input.kind.into(),
            markup: input.markup,
            fields: input.fields.into_iter().map(Into::into).collect(),
        };
        Ok(templates::save(services(ctx)?, a.caller.tenant_id, a.caller.user_id, new).await?.into())
    }

    /// Generates a document from a template and data: the data is checked
    /// against the template's fields, rendered to PDF and kept as
    /// version 1.
    async fn generate_document(&self, ctx: &Context<'_>, input: GenerateDocumentInput) -> Result<Document> {
        let a = allow(ctx, "document", "create").await?;
        let s = services(ctx)?;
        let template = match (&input.template_id, &input.template_key) {
            (Some(id), None) => {
                Ref::<template::Entity>::parse(&a.kit.db, a.caller.tenant_id, "templateId", id).await?
            }
            (None, Some(key)) => {
                let latest = templates::latest(&a.kit.db, a.caller.tenant_id, key)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no template `{key}` in this tenant")))?;
                Ref::<template::Entity>::find(&a.kit.db, a.caller.tenant_id, latest.id).await?
            }
            _ => return Err(invalid("TEMPLATE_REQUIRED", "give templateId or templateKey, not both").into()),
        };
        let subjects = subjects(input.subjects)?;
        let source = Source::Template { template: Box::new(template), data: input.data.0 };
        let (doc, _) =
            documents::create(s, a.caller.tenant_id, a.caller.user_id, input.title, source, subjects).await?;
        Ok(doc.into())
    }

    /// Keeps an uploaded PDF as a new document (version 1).
    async fn upload_document(&self, ctx: &Context<'_>, input: UploadDocumentInput) -> Result<Document> {
        let a = allow(ctx, "document", "create").await?;
        let s = services(ctx)?;
        let bytes = decode(s, &input.content_base64)?;
        let source = Source::Upload { kind: input.kind.into(), bytes };
        let subjects = subjects(input.subjects)?;
        let (doc, _) =
            documents::create(s, a.caller.tenant_id, a.caller.user_id, input.title, source, subjects).await?;
        Ok(doc.into())
    }

    /// Writes the next version of a document: new data re-rendered from
    /// its template, or a new PDF. Earlier versions stay as they were.
    async fn revise_document(&self, ctx: &Context<'_>, input: ReviseDocumentInput) -> Result<Document> {
        let a = allow(ctx, "document", "manage").await?;
        let s = services(ctx)?;
        let doc = reachable(&a, "id", &input.id).await?;
        if a.scope < Scope::Team && doc.row().created_by != a.caller.user_id {
            return Err(ApiError::Forbidden("only the document's creator may revise it".into()).into());
        }
        let revision = match (input.data, input.content_base64) {
            (Some(data), None) => Revision::Data(data.0),
            (None, Some(content)) => Revision::File(decode(s, &content)?),
            _ => return Err(invalid("REVISION_REQUIRED", "give data or contentBase64, not both").into()),
        };
        let (doc, _) = documents::revise(s, doc, a.caller.user_id, revision).await?;
        Ok(doc.into())
    }

    /// Puts a document on legal hold (or lifts it): held documents stay
    /// whatever erasure or retention asks.
    async fn set_document_legal_hold(&self, ctx: &Context<'_>, id: ID, hold: bool) -> Result<Document> {
        let a = allow(ctx, "document", "manage").await?;
        if a.scope < Scope::Tenant {
            return Err(ApiError::Forbidden("legal holds are set for the whole tenant".into()).into());
        }
        let doc = reachable(&a, "id", &id).await?;
        Ok(documents::set_legal_hold(services(ctx)?, doc, a.caller.user_id, hold).await?.into())
    }

    /// A link to download a version (the current one by default), valid
    /// for a few minutes (`[documents] link_ttl_seconds`).
    async fn document_download_link(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i32>,
    ) -> Result<DownloadLink> {
        let a = allow(ctx, "document", "read").await?;
        let doc = reachable(&a, "id", &id).await?;
        let (url, expires_at) = documents::link(services(ctx)?, doc.row(), version, a.caller.user_id).await?;
        Ok(DownloadLink { url, expires_at })
    }
}

fn subjects(input: SubjectsInput) -> ApiResult<Subjects> {
    let parse = |field: &str, id: Option<ID>| id.map(|i| uuid(field, &i)).transpose();
    Ok(Subjects {
        user_id: parse("subjects.subjectUserId", input.subject_user_id)?,
        appointment_id: parse("subjects.appointmentId", input.appointment_id)?,
        complaint_id: parse("subjects.complaintId", input.complaint_id)?,
        invoice_id: parse("subjects.invoiceId", input.invoice_id)?,
    })
}

pub(crate) fn decode(s: &crate::domain::Services, content: &str) -> ApiResult<Vec<u8>> {
    // Base64 is 4 characters per 3 bytes: refuse what cannot fit before decoding it.
    if content.len() / 4 * 3 > s.settings.max_file_bytes + 3 {
        return Err(invalid(
            "FILE_TOO_LARGE",
            format!("a file is at most {} bytes", s.settings.max_file_bytes),
        ));
    }
    STANDARD.decode(content.trim()).map_err(|_| invalid("NOT_BASE64", "contentBase64 is not base64"))
}
