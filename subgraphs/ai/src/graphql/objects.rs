//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ComplexObject, Context, ID, InputObject, Result, SimpleObject};
use backbone_entities::ai::{budget, prompt_template, request_log, setting};
use chrono::{DateTime, Utc};
use subgraph_kit::{ApiError, graphql::allow};

use crate::domain::{budget as budgets, gateway::Outcome, templates};

/// A tenant, owned by the tenants subgraph; ai adds its usage.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Tenant {
    /// The tenant's id (the federation key).
    pub id: ID,
}

#[ComplexObject]
impl Tenant {
    /// Token budget and usage this period (the caller's own tenant only).
    async fn ai_usage(&self, ctx: &Context<'_>) -> Result<AiUsage> {
        let a = allow(ctx, "ai", "read").await?;
        if a.scope == subgraph_kit::rbac::Scope::Own {
            return Err(
                ApiError::Forbidden("tenant usage needs a tenant-wide grant of ai:read".into()).into()
            );
        }
        if self.id.as_str() != a.caller.tenant_id.to_string() {
            return Err(ApiError::NotFound("no such tenant".into()).into());
        }
        let default = super::gateway_of(ctx)?.config.default_budget_tokens;
        let b = budgets::current(&a.kit.db, a.caller.tenant_id, default).await?;
        Ok(b.into())
    }
}

/// Token budget and usage.
#[derive(SimpleObject)]
pub struct AiUsage {
    /// Tokens allowed this period.
    pub limit_tokens: i64,
    /// Tokens spent.
    pub used_tokens: i64,
    /// Tokens held by calls in flight.
    pub reserved_tokens: i64,
    /// What is left.
    pub remaining_tokens: i64,
    /// Start of the period.
    pub period_start: DateTime<Utc>,
}

impl From<budget::Model> for AiUsage {
    fn from(b: budget::Model) -> Self {
        Self {
            limit_tokens: b.limit_tokens,
            used_tokens: b.used_tokens,
            reserved_tokens: b.reserved_tokens,
            remaining_tokens: (b.limit_tokens - b.used_tokens - b.reserved_tokens).max(0),
            period_start: b.period_start,
        }
    }
}

/// A declared template variable.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "PromptVariableInput")]
pub struct PromptVariable {
    /// Name, used as `{{name}}`.
    pub name: String,
    /// Must be given.
    #[graphql(default = true)]
    pub required: bool,
    /// Longest value, in characters.
    #[graphql(default = 2000)]
    pub max_length: i32,
}

/// A version of a prompt template.
#[derive(SimpleObject)]
pub struct PromptTemplate {
    /// The template's id; new versions keep it.
    pub id: ID,
    /// Unique within the tenant; calls name the template by it.
    pub name: String,
    /// Version, from 1.
    pub version: i32,
    /// The system message sent before the user's, if any; may use `{{variables}}`.
    pub system: Option<String>,
    /// User message with `{{variables}}`.
    pub body: String,
    /// The variables a call fills: required ones must be given, each at most its `maxLength`.
    pub variables: Vec<PromptVariable>,
    /// Most tokens the provider may produce per call; reserved against the budget up front.
    pub max_tokens: i32,
    /// When this version was saved.
    pub created_at: DateTime<Utc>,
}

impl From<prompt_template::Model> for PromptTemplate {
    fn from(t: prompt_template::Model) -> Self {
        let variables = templates::variables(&t)
            .into_iter()
            .map(|v| PromptVariable { name: v.name, required: v.required, max_length: v.max_length as i32 })
            .collect();
        Self {
            id: t.id.into(),
            name: t.name,
            version: t.version,
            system: t.system,
            body: t.body,
            variables,
            max_tokens: t.max_tokens,
            created_at: t.created_at,
        }
    }
}

/// The answer of `complete`.
#[derive(SimpleObject)]
pub struct Completion {
    /// The request log entry's id (`aiRequests` lists it).
    pub request_id: ID,
    /// The answer; null when safety checks withheld it.
    pub text: Option<String>,
    /// Whether safety checks flagged it.
    pub flagged: bool,
    /// What they flagged.
    pub flags: Vec<String>,
    /// Tokens the provider counted in the prompt (charged to the tenant's budget).
    pub prompt_tokens: i64,
    /// Tokens the provider produced (charged to the tenant's budget).
    pub completion_tokens: i64,
    /// Calls made to the provider, retries included (1 when the first succeeded).
    pub attempts: i32,
    /// The template version that was rendered.
    pub template_version: i32,
    /// Personal data items masked before sending.
    pub masked_items: i32,
}

impl From<Outcome> for Completion {
    fn from(o: Outcome) -> Self {
        Self {
            request_id: o.request_id.into(),
            text: o.text,
            flagged: o.flagged,
            flags: o.flags,
            prompt_tokens: o.prompt_tokens,
            completion_tokens: o.completion_tokens,
            attempts: o.attempts as i32,
            template_version: o.template_version,
            masked_items: o.masked as i32,
        }
    }
}

/// A piece of a streamed answer; the last one has `done` and the totals.
#[derive(SimpleObject)]
pub struct CompletionChunk {
    /// Text since the previous chunk.
    pub delta: String,
    /// Whether this is the last chunk.
    pub done: bool,
    /// The totals and safety verdict, on the last chunk.
    pub completion: Option<Completion>,
}

/// One logged call.
#[derive(SimpleObject)]
pub struct AiRequest {
    /// The log entry's id.
    pub id: ID,
    /// The person who made the call (their entries go when they are erased).
    pub user_id: Option<ID>,
    /// Template and version.
    pub template: String,
    /// The template version the call used.
    pub template_version: i32,
    /// The provider's model that answered.
    pub model: String,
    /// `ok`, `refused` or `failed`.
    pub status: String,
    /// The stable error code of a refused or failed call; null when it succeeded.
    pub error_code: Option<String>,
    /// Prompt as sent (full log mode only).
    pub prompt: Option<String>,
    /// SHA-256 of the prompt sent.
    pub prompt_hash: String,
    /// Answer (full log mode only).
    pub completion: Option<String>,
    /// SHA-256 of the answer.
    pub completion_hash: Option<String>,
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
    /// Tokens held against the budget while the call ran.
    pub reserved_tokens: i64,
    /// Provider attempts.
    pub attempts: i32,
    /// Milliseconds from the request to the answer, retries included.
    pub latency_ms: i64,
    /// Personal data items masked.
    pub masked_items: i32,
    /// Safety checks flagged the answer.
    pub flagged: bool,
    /// When the call was made.
    pub created_at: DateTime<Utc>,
}

impl From<request_log::Model> for AiRequest {
    fn from(r: request_log::Model) -> Self {
        Self {
            id: r.id.into(),
            user_id: r.user_id.map(Into::into),
            template: r.template,
            template_version: r.template_version,
            model: r.model,
            status: r.status,
            error_code: r.error_code,
            prompt: r.prompt,
            prompt_hash: r.prompt_hash,
            completion: r.completion,
            completion_hash: r.completion_hash,
            prompt_tokens: r.prompt_tokens,
            completion_tokens: r.completion_tokens,
            reserved_tokens: r.reserved_tokens,
            attempts: r.attempts,
            latency_ms: r.latency_ms,
            masked_items: r.masked,
            flagged: r.flagged,
            created_at: r.created_at,
        }
    }
}

/// A tenant's AI settings.
#[derive(SimpleObject)]
pub struct AiSettings {
    /// `mask` or `block`.
    pub pii_mode: String,
    /// `full` or `hash`.
    pub log_mode: String,
    /// Whether a provider is configured.
    pub provider_configured: bool,
}

impl AiSettings {
    /// From a row.
    pub fn of(s: setting::Model, provider_configured: bool) -> Self {
        Self { pii_mode: s.pii_mode, log_mode: s.log_mode, provider_configured }
    }
}
