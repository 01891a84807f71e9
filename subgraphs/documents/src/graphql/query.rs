//! Queries: templates, one document, lists of documents.

use async_graphql::{Context, ID, Object, Result};
use subgraph_kit::{
    graphql::{allow, uuid},
    rbac::Scope,
};

use super::{objects::*, reachable};
use crate::domain::{documents, templates};

/// Query root: documents and templates, and signing.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(DocumentsQuery, super::signing::SigningQuery, super::entities::EntityQuery);

/// Documents and templates.
#[derive(Default)]
pub struct DocumentsQuery;

#[Object]
impl DocumentsQuery {
    /// The latest version of each of the tenant's templates.
    async fn document_templates(&self, ctx: &Context<'_>) -> Result<Vec<DocumentTemplate>> {
        let a = allow(ctx, "document_template", "read").await?;
        Ok(templates::list(&a.kit.db, a.caller.tenant_id).await?.into_iter().map(Into::into).collect())
    }

    /// A template by key: its latest version.
    async fn document_template(&self, ctx: &Context<'_>, key: String) -> Result<Option<DocumentTemplate>> {
        let a = allow(ctx, "document_template", "read").await?;
        Ok(templates::latest(&a.kit.db, a.caller.tenant_id, &key).await?.map(Into::into))
    }

    /// A document.
    async fn document(&self, ctx: &Context<'_>, id: ID) -> Result<Document> {
        let a = allow(ctx, "document", "read").await?;
        Ok(reachable(&a, "id", &id).await?.row().clone().into())
    }

    /// Documents, newest first: all the tenant's, or with `read:own` those
    /// one is the subject or creator of.
    async fn documents(
        &self,
        ctx: &Context<'_>,
        subject_user_id: Option<ID>,
        appointment_id: Option<ID>,
        complaint_id: Option<ID>,
        #[graphql(default = 20)] first: u64,
    ) -> Result<Vec<Document>> {
        let a = allow(ctx, "document", "read").await?;
        let filter = documents::Filter {
            subject_user_id: subject_user_id.as_ref().map(|i| uuid("subjectUserId", i)).transpose()?,
            appointment_id: appointment_id.as_ref().map(|i| uuid("appointmentId", i)).transpose()?,
            complaint_id: complaint_id.as_ref().map(|i| uuid("complaintId", i)).transpose()?,
            own: (a.scope < Scope::Team).then_some(a.caller.user_id),
        };
        Ok(documents::list(&a.kit.db, a.caller.tenant_id, filter, first)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
