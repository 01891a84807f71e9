//! The mutation root.

use async_graphql::{Context, ID, Object, Result};
use subgraph_kit::{ApiError, graphql::allow};

use super::{gateway_of, inputs::VariableValue, objects::*, values};
use crate::domain::{
    budget,
    gateway::{self, Call},
    settings,
    templates::{self, Variable},
};

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
            budget::set_limit(&a.kit.db, tenant, limit_tokens, gateway_of(ctx)?.config.default_budget_tokens)
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
        Ok(AiSettings::of(s, gateway_of(ctx)?.provider.is_some()))
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
        Ok(gateway::complete(a.kit, gateway_of(ctx)?, call).await?.into())
    }
}
