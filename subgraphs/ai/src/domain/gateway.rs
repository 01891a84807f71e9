//! `complete`: the gateway's pipeline, in this order —
//! provider configured → template rendered → consent (`ai_processing`) →
//! PII masked or blocked → budget reserved → provider called (timeout,
//! retries) → safety checks → logged with tokens and latency → reservation
//! settled with the real usage, and `ai.usage_recorded` published. Nothing
//! reaches the provider before consent, PII and budget all passed.

use std::{collections::BTreeMap, time::Instant};

use backbone_entities::ai::{prompt_template, request_log, setting};
use backbone_schema::{ErrorCode, event_types::AI_USAGE_RECORDED};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, TransactionTrait};
use serde_json::json;
use sha2::{Digest, Sha256};
use subgraph_kit::{
    ApiError, ApiResult, Kit,
    audit::{self, AuditEntry},
    config::LlmConfig,
    internal::InternalClient,
    llm::Provider,
    outbox,
};
use uuid::Uuid;

use crate::config::AiConfig;

use super::{budget, pii, provider::Failure, safety, settings, templates};

/// The scope a person must consent to before AI processes their data.
pub const CONSENT_SCOPE: &str = "ai_processing";

/// What the gateway needs besides the kit.
#[derive(Clone)]
pub struct Gateway {
    /// The provider, if configured.
    pub provider: Option<Provider>,
    /// Asks the consent service.
    pub consent: InternalClient,
    /// Provider settings (`[llm]`).
    pub llm: LlmConfig,
    /// The gateway's own rules (`[ai]`).
    pub config: AiConfig,
}

/// One call as asked.
#[derive(Debug, Clone)]
pub struct Call {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Caller (whose consent is checked).
    pub user_id: Uuid,
    /// Template name.
    pub template: String,
    /// Template version; latest when `None`.
    pub version: Option<i32>,
    /// Variable values.
    pub variables: BTreeMap<String, String>,
}

/// A call that passed every pre-flight check and holds a reservation.
pub struct Prepared {
    /// The call.
    pub call: Call,
    /// The template used.
    pub template: prompt_template::Model,
    /// System message, masked.
    pub system: Option<String>,
    /// User message, masked.
    pub user: String,
    /// PII items masked.
    pub masked: usize,
    /// Tokens reserved.
    pub reserved: i64,
    /// Tenant settings.
    pub settings: setting::Model,
    /// When the call started.
    pub started: Instant,
}

/// What the provider produced.
pub struct Produced {
    /// Answer text.
    pub text: String,
    /// Prompt tokens (reported, or estimated when the provider did not say).
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
    /// Attempts made.
    pub attempts: u32,
}

/// The result of a call.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Log id.
    pub request_id: Uuid,
    /// Answer; `None` when safety checks withheld it.
    pub text: Option<String>,
    /// Whether safety checks flagged the answer.
    pub flagged: bool,
    /// What they flagged.
    pub flags: Vec<String>,
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
    /// Provider attempts.
    pub attempts: u32,
    /// Template version used.
    pub template_version: i32,
    /// PII items masked.
    pub masked: usize,
}

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Runs every check before the provider; on refusal, logs it and returns
/// the coded error.
pub async fn prepare(kit: &Kit, gw: &Gateway, call: Call) -> ApiResult<Prepared> {
    let started = Instant::now();
    if gw.provider.is_none() {
        return Err(ApiError::Coded {
            code: ErrorCode::AiProviderNotConfigured,
            message: "no AI provider is configured (llm.base_url)".into(),
        });
    }
    let template = templates::find(&kit.db, call.tenant_id, &call.template, call.version).await?;
    let (system, user) = templates::render(&template, &call.variables)?;
    let granted = subgraph_kit::internal::consents(
        kit.config.services.consent_url.as_deref(),
        &gw.consent,
        call.tenant_id,
        call.user_id,
        &[CONSENT_SCOPE],
    )
    .await?;
    let settings = settings::get(&kit.db, call.tenant_id).await?;
    let refusal = if granted.first() != Some(&true) {
        Some((ErrorCode::ConsentRequired, format!("the person has not consented to {CONSENT_SCOPE}")))
    } else {
        None
    };
    let (system, s_found) = match system {
        Some(s) => {
            let (m, f) = pii::mask(&s);
            (Some(m), f.total())
        }
        None => (None, 0),
    };
    let (user_masked, found) = pii::mask(&user);
    let masked = s_found + found.total();
    let refusal = refusal.or_else(|| {
        (settings.pii_mode == "block" && masked > 0).then(|| {
            (
                ErrorCode::BadUserInput,
                format!("the prompt contains personal data ({}) and this tenant blocks it", found.labels()),
            )
        })
    });
    let reserved =
        (system.as_deref().map_or(0, str::len) + user.len()) as i64 + i64::from(template.max_tokens);
    let refusal = match refusal {
        Some(r) => Some(r),
        None => {
            match budget::reserve(&kit.db, call.tenant_id, reserved, gw.config.default_budget_tokens).await {
                Ok(()) => None,
                Err(e) => Some((e.code(), e.to_string())),
            }
        }
    };
    let prepared =
        Prepared { call, template, system, user: user_masked, masked, reserved, settings, started };
    if let Some((code, message)) = refusal {
        log(kit, gw, &prepared, Err((code, 0)), 0).await?;
        return Err(match code {
            ErrorCode::BadUserInput => ApiError::bad_input("variables", message),
            code => ApiError::Coded { code, message },
        });
    }
    Ok(prepared)
}

/// The whole pipeline for one non-streaming call.
pub async fn complete(kit: &Kit, gw: &Gateway, call: Call) -> ApiResult<Outcome> {
    let prepared = prepare(kit, gw, call).await?;
    let (kit, gw) = (kit.clone(), gw.clone());
    // The provider call and the settlement run to the end even when the
    // client goes away, so a reservation is never left behind.
    let task = subgraph_kit::isolation::spawn(async move {
        let Some(client) = gw.provider.as_ref() else {
            return Err(ApiError::Internal("provider vanished".into()));
        };
        let request = chat_request(&gw.llm, &prepared, false);
        let (answer, attempts) = super::provider::chat(client, &gw.llm, &request).await;
        let produced = answer.map(|a| {
            let text = a.choices.into_iter().next().and_then(|c| c.message.content).unwrap_or_default();
            let (p, c) = a.usage.map_or_else(
                || (estimate(&prepared), estimate_text(&text)),
                |u| (i64::from(u.prompt_tokens), i64::from(u.completion_tokens)),
            );
            Produced { text, prompt_tokens: p, completion_tokens: c, attempts }
        });
        finish(&kit, &gw, prepared, produced.map_err(|f| (f, attempts))).await
    });
    task.await.map_err(|e| ApiError::Internal(format!("AI call task: {e}")))?
}

/// The chat request for a prepared call.
pub fn chat_request(
    cfg: &LlmConfig,
    p: &Prepared,
    stream: bool,
) -> async_openai::types::chat::CreateChatCompletionRequest {
    let mut messages = Vec::new();
    if let Some(s) = &p.system {
        messages.push(json!({"role": "system", "content": s}));
    }
    messages.push(json!({"role": "user", "content": p.user}));
    let mut body = json!({
        "model": cfg.model,
        "messages": messages,
        "max_completion_tokens": p.template.max_tokens,
        "user": p.call.user_id.to_string(),
    });
    if stream {
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});
    }
    serde_json::from_value(body).unwrap_or_default()
}

/// Tokens a prompt is estimated at when the provider does not report usage.
pub fn estimate(p: &Prepared) -> i64 {
    estimate_text(&p.user) + p.system.as_deref().map_or(0, estimate_text)
}

/// About four characters per token, rounded up.
pub fn estimate_text(text: &str) -> i64 {
    (text.chars().count() as i64 + 3) / 4
}

/// Safety checks, the log, the settlement and the usage event.
pub async fn finish(
    kit: &Kit,
    gw: &Gateway,
    prepared: Prepared,
    produced: Result<Produced, (Failure, u32)>,
) -> ApiResult<Outcome> {
    match produced {
        Ok(p) => {
            let moderator = gw.provider.as_ref().filter(|_| gw.config.moderation);
            let verdict = safety::check(moderator, &p.text).await;
            let outcome = Outcome {
                request_id: Uuid::now_v7(),
                text: (!verdict.withheld).then(|| verdict.text.clone()),
                flagged: !verdict.flags.is_empty(),
                flags: verdict.flags.clone(),
                prompt_tokens: p.prompt_tokens,
                completion_tokens: p.completion_tokens,
                attempts: p.attempts,
                template_version: prepared.template.version,
                masked: prepared.masked,
            };
            log(kit, gw, &prepared, Ok(&outcome), p.attempts).await?;
            Ok(outcome)
        }
        Err((failure, attempts)) => {
            log(kit, gw, &prepared, Err((failure.code(), attempts)), attempts).await?;
            Err(failure.to_error(attempts))
        }
    }
}

/// Writes the log row, settles the reservation (refusals before the
/// reservation settle nothing) and publishes the usage, in one transaction.
async fn log(
    kit: &Kit,
    gw: &Gateway,
    p: &Prepared,
    outcome: Result<&Outcome, (ErrorCode, u32)>,
    attempts: u32,
) -> ApiResult<()> {
    let full = p.settings.log_mode == "full";
    let prompt = format!("{}\n{}", p.system.as_deref().unwrap_or(""), p.user);
    let (status, code, completion, tokens, flagged, id) = match outcome {
        Ok(o) => {
            ("ok", None, o.text.clone(), (o.prompt_tokens, o.completion_tokens), o.flagged, o.request_id)
        }
        Err((code, 0)) => ("refused", Some(code), None, (0, 0), false, Uuid::now_v7()),
        Err((code, _)) => ("failed", Some(code), None, (0, 0), false, Uuid::now_v7()),
    };
    // Refusals happen before (or at) the reservation: nothing to settle.
    let reserved_here = status != "refused";
    let txn = kit.db.begin().await?;
    request_log::ActiveModel {
        id: Set(id),
        tenant_id: Set(p.call.tenant_id),
        user_id: Set(Some(p.call.user_id)),
        template: Set(p.template.name.clone()),
        template_version: Set(p.template.version),
        model: Set(gw.llm.model.clone()),
        status: Set(status.into()),
        error_code: Set(code.map(|c| c.as_str().to_owned())),
        prompt: Set(full.then(|| prompt.clone())),
        prompt_hash: Set(sha(&prompt)),
        completion: Set(if full { completion.clone() } else { None }),
        completion_hash: Set(completion.as_deref().map(sha)),
        prompt_tokens: Set(tokens.0),
        completion_tokens: Set(tokens.1),
        reserved_tokens: Set(if reserved_here { p.reserved } else { 0 }),
        attempts: Set(attempts as i32),
        latency_ms: Set(p.started.elapsed().as_millis() as i64),
        masked: Set(p.masked as i32),
        flagged: Set(flagged),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    if reserved_here {
        let over = budget::settle(&txn, p.call.tenant_id, p.reserved, tokens.0 + tokens.1).await?;
        if over > 0 {
            tracing::warn!(tenant = %p.call.tenant_id, over, "AI provider reported more tokens than reserved");
            let entry = AuditEntry {
                event_type: "ai.budget_overrun",
                resource_type: "ai_budget",
                resource_id: p.call.tenant_id.to_string(),
                data: json!({
                    "requestId": id, "reservedTokens": p.reserved,
                    "reportedTokens": tokens.0 + tokens.1, "overrunTokens": over,
                }),
            };
            audit::append(&txn, p.call.tenant_id, Some(p.call.user_id), entry).await?;
        }
        let payload = json!({
            "requestId": id, "userId": p.call.user_id, "template": p.template.name, "status": status,
            "promptTokens": tokens.0, "completionTokens": tokens.1, "totalTokens": tokens.0 + tokens.1,
        });
        outbox::enqueue(&txn, p.call.tenant_id, Some(p.call.user_id), AI_USAGE_RECORDED, payload).await?;
        budget::notice_soft(&txn, p.call.tenant_id).await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}
