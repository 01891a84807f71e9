//! The query root.

use async_graphql::{Context, Object, Result, connection::Connection};
use subgraph_kit::{ApiError, graphql::allow, pagination::Page};

use super::{objects::*, state};
use crate::domain::{recall, snapshot::Filters, store};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The caller's memories most similar to `query` whose scope they
    /// consent to now, best first, and the scopes left out for want of
    /// consent. CONSENT_REQUIRED when they consent to none of their scopes.
    async fn recall(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = 5)] k: i32,
        #[graphql(default)] types: Vec<String>,
        min_importance: Option<f64>,
    ) -> Result<Recall> {
        let a = allow(ctx, "memory", "read").await?;
        let s = state(ctx)?;
        let k = subgraph_kit::validate::bounded("k", i64::from(k), 100)? as usize;
        if query.trim().is_empty() || query.len() > 4_000 {
            return Err(ApiError::bad_input("query", "1 to 4000 characters").into());
        }
        let filters = Filters { kinds: types, min_importance };
        let q = recall::Query {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            text: &query,
            k,
            filters: &filters,
        };
        Ok(recall::recall(a.kit, s, q).await?.into())
    }

    /// The caller's memories, newest first.
    async fn memories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Memory>> {
        let a = allow(ctx, "memory", "read").await?;
        let page = Page::new(first, after)?;
        let rows = store::list(&a.kit.db, a.caller.tenant_id, a.caller.user_id, &page).await?;
        Ok(rows.connection(|m| (m.id.to_string(), Memory::from(m))))
    }

    /// The embedder in use.
    async fn memory_embedder(&self, ctx: &Context<'_>) -> Result<EmbedderInfo> {
        let s = state(ctx)?;
        Ok(EmbedderInfo { name: s.embedder.name(), local: s.embedder.is_local() })
    }
}
