//! One AI call: outcome, tokens and latency.

use sea_orm::entity::prelude::*;

/// A row of `ai_requests`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_requests")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Caller.
    pub user_id: Option<Uuid>,
    /// Template name.
    pub template: String,
    /// Template version.
    pub template_version: i32,
    /// Model asked.
    pub model: String,
    /// `ok`, `refused` or `failed`.
    pub status: String,
    /// Error code.
    pub error_code: Option<String>,
    /// Prompt as sent (masked), in full log mode.
    #[sea_orm(column_type = "Text", nullable)]
    pub prompt: Option<String>,
    /// SHA-256 of the prompt sent.
    pub prompt_hash: String,
    /// Completion, in full log mode.
    #[sea_orm(column_type = "Text", nullable)]
    pub completion: Option<String>,
    /// SHA-256 of the completion.
    pub completion_hash: Option<String>,
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
    /// Tokens reserved.
    pub reserved_tokens: i64,
    /// Provider attempts.
    pub attempts: i32,
    /// Wall time.
    pub latency_ms: i64,
    /// PII items masked.
    pub masked: i32,
    /// Safety checks flagged the answer.
    pub flagged: bool,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
