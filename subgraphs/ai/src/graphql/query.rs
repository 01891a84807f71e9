//! The query root.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use subgraph_kit::{graphql::allow, pagination::Page, rbac::Scope};

use super::{gateway_of, objects::*};
use crate::domain::{log, settings, templates};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The tenant's prompt templates: every version of `name`, or the latest
    /// version of each.
    async fn prompt_templates(
        &self,
        ctx: &Context<'_>,
        name: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, PromptTemplate>> {
        let a = allow(ctx, "ai", "use").await?;
        let page = Page::new(first, after)?;
        let rows = templates::list(&a.kit.db, a.caller.tenant_id, name.as_deref(), &page).await?;
        Ok(rows.connection_at(PromptTemplate::from))
    }

    /// The AI request log, newest first: the caller's own, or the tenant's.
    async fn ai_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AiRequest>> {
        let a = allow(ctx, "ai", "read").await?;
        let page = Page::new(first, after)?;
        let only = (a.scope == Scope::Own).then_some(a.caller.user_id);
        let rows = log::requests(&a.kit.db, a.caller.tenant_id, only, &page).await?;
        Ok(rows.connection(|r| (r.id.to_string(), AiRequest::from(r))))
    }

    /// The tenant's AI settings.
    async fn ai_settings(&self, ctx: &Context<'_>) -> Result<AiSettings> {
        let a = allow(ctx, "ai", "use").await?;
        let s = settings::get(&a.kit.db, a.caller.tenant_id).await?;
        Ok(AiSettings::of(s, gateway_of(ctx)?.provider.is_some()))
    }

    /// Federation: a tenant, to which ai adds `aiUsage`.
    #[graphql(entity)]
    async fn find_tenant_by_id(&self, id: ID) -> Tenant {
        Tenant { id }
    }
}
