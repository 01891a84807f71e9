//! The mutation root.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use subgraph_kit::graphql::{allow, uuid};

use super::{objects::*, state};
use crate::domain::store::{self, NewMemory};

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Remembers a fact for the caller.
    #[allow(clippy::too_many_arguments)]
    async fn remember(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(name = "type", default_with = "\"fact\".to_string()")] kind: String,
        #[graphql(default_with = "\"memory\".to_string()")] required_scope: String,
        #[graphql(default = 0.5)] importance: f64,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Memory> {
        let a = allow(ctx, "memory", "write").await?;
        let s = state(ctx)?;
        let m = NewMemory { kind, text, required_scope, importance, expires_at };
        let max = s.config.max_per_user;
        let row = store::remember(
            &a.kit.db,
            &s.embedder,
            &s.pgvector,
            a.caller.tenant_id,
            a.caller.user_id,
            m,
            max,
        )
        .await?;
        Ok(row.into())
    }

    /// Forgets one of the caller's memories, for good.
    async fn forget(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let a = allow(ctx, "memory", "write").await?;
        store::forget(&a.kit.db, a.caller.tenant_id, a.caller.user_id, uuid("id", &id)?).await?;
        Ok(true)
    }
}
