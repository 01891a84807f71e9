//! Query, mutation and subscription roots.

use std::collections::BTreeMap;

use async_graphql::{Context, ID, Object, Result, Subscription, connection::Connection};
use futures::{Stream, StreamExt};
use subgraph_kit::{ApiError, ApiResult, graphql::allow, pagination::Page, rbac::Scope};

use super::objects::*;
use crate::domain::{
    budget,
    gateway::{self, Call, Gateway},
    log, settings,
    stream::{self, Chunk},
    templates::{self, Variable},
};

pub(super) fn gateway<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Gateway> {
    ctx.data::<Gateway>().map_err(|_| ApiError::Internal("gateway missing".into()))
}

fn values(variables: Vec<VariableValue>) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for v in variables {
        if out.insert(v.name.clone(), v.value).is_some() {
            return Err(ApiError::bad_input("variables", format!("{} is given twice", v.name)));
        }
    }
    Ok(out)
}

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The tenant's prompt templates: every version of `name`, or the latest
    /// version of each.
    async fn prompt_templates(&self, ctx: &Context<'_>, name: Option<String>) -> Result<Vec<PromptTemplate>> {
        let a = allow(ctx, "ai", "use").await?;
        let rows = templates::list(&a.kit.db, a.caller.tenant_id, name.as_deref()).await?;
        Ok(rows.into_iter().map(Into::into).collect())
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
        Ok(AiSettings::of(s, gateway(ctx)?.provider.is_some()))
    }

    /// Federation: a tenant, to which ai adds `aiUsage`.
    #[graphql(entity)]
    async fn find_tenant_by_id(&self, id: ID) -> Tenant {
        Tenant { id }
    }
}

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Saves the next version of a prompt template.
    async fn save_prompt_template(
        &self,
        ctx: &Context<'_>,
        name: String,
        system: Option<String>,
        body: String,
        #[graphql(default)] variables: Vec<PromptVariable>,
        #[graphql(default = 512)] max_tokens: i32,
    ) -> Result<PromptTemplate> {
        let a = allow(ctx, "ai", "manage").await?;
        let vars = variables
            .into_iter()
            .map(|v| Variable {
                name: v.name,
                required: v.required,
                max_length: v.max_length.clamp(1, 100_000) as usize,
            })
            .collect();
        let t = templates::save(
            &a.kit.db,
            a.caller.tenant_id,
            a.caller.user_id,
            &name,
            system,
            &body,
            vars,
            max_tokens,
        )
        .await?;
        Ok(t.into())
    }

    /// Sets a tenant's token budget for the period and lifts a block left by
    /// a provider overrun. Platform admins only: a tenant cannot raise its
    /// own limit.
    async fn set_ai_budget(&self, ctx: &Context<'_>, tenant_id: ID, limit_tokens: i64) -> Result<AiUsage> {
        let a = allow(ctx, "ai", "manage").await?;
        if !a.caller.is_platform_admin() {
            return Err(ApiError::Forbidden("AI budgets are set by the platform".into()).into());
        }
        let tenant = subgraph_kit::graphql::uuid("tenantId", &tenant_id)?;
        let b =
            budget::set_limit(&a.kit.db, tenant, limit_tokens, gateway(ctx)?.config.default_budget_tokens)
                .await?;
        Ok(b.into())
    }

    /// Sets how PII is handled (`mask` or `block`) and logged (`full` or `hash`).
    async fn set_ai_settings(
        &self,
        ctx: &Context<'_>,
        pii_mode: String,
        log_mode: String,
    ) -> Result<AiSettings> {
        let a = allow(ctx, "ai", "manage").await?;
        let s = settings::set(&a.kit.db, a.caller.tenant_id, &pii_mode, &log_mode).await?;
        Ok(AiSettings::of(s, gateway(ctx)?.provider.is_some()))
    }

    /// Runs a prompt template for the caller (consent, PII, budget and
    /// safety checks included).
    async fn complete(
        &self,
        ctx: &Context<'_>,
        template: String,
        version: Option<i32>,
        #[graphql(default)] variables: Vec<VariableValue>,
    ) -> Result<Completion> {
        let a = allow(ctx, "ai", "use").await?;
        let call = Call {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            template,
            version,
            variables: values(variables)?,
        };
        Ok(gateway::complete(a.kit, gateway(ctx)?, call).await?.into())
    }
}

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// `complete`, streamed: deltas, then a last chunk with the totals.
    async fn completion_stream(
        &self,
        ctx: &Context<'_>,
        template: String,
        version: Option<i32>,
        #[graphql(default)] variables: Vec<VariableValue>,
    ) -> Result<impl Stream<Item = Result<CompletionChunk>> + use<>> {
        let a = allow(ctx, "ai", "use").await?;
        let call = Call {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            template,
            version,
            variables: values(variables)?,
        };
        let rx = stream::start(a.kit, gateway(ctx)?, call).await?;
        Ok(tokio_stream_of(rx).map(|item| match item {
            Ok(Chunk::Delta(delta)) => Ok(CompletionChunk { delta, done: false, completion: None }),
            Ok(Chunk::Done(o)) => {
                Ok(CompletionChunk { delta: String::new(), done: true, completion: Some(o.into()) })
            }
            Err(e) => Err(e.into()),
        }))
    }
}

fn tokio_stream_of<T: Send + 'static>(mut rx: tokio::sync::mpsc::Receiver<T>) -> impl Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
