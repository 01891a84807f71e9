//! Calls to the provider with a timeout per attempt and retries with
//! exponential backoff on 429, 5xx, timeouts and connection failures. Other
//! failures (a 400, an unreadable answer) are not retried.

use std::time::Duration;

use async_openai::{
    error::OpenAIError,
    types::chat::{CreateChatCompletionRequest, CreateChatCompletionResponse},
};
use backbone_schema::ErrorCode;
use subgraph_kit::{ApiError, config::LlmConfig, llm::Provider};

/// Why the provider call failed, after retries.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Still 429 after the last retry.
    RateLimited,
    /// No answer within the timeout, each attempt.
    Timeout,
    /// 5xx or unreachable, each attempt.
    Unavailable(String),
    /// Refused or unreadable; not retried.
    Rejected(String),
}

impl Failure {
    /// The stable code logged and returned.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::RateLimited => ErrorCode::RateLimited,
            Self::Timeout | Self::Unavailable(_) => ErrorCode::SubgraphUnavailable,
            Self::Rejected(_) => ErrorCode::Internal,
        }
    }

    /// The client's error.
    pub fn to_error(&self, attempts: u32) -> ApiError {
        let message = match self {
            Self::RateLimited => {
                format!("the AI provider is rate limiting (gave up after {attempts} attempts)")
            }
            Self::Timeout => format!("the AI provider did not answer in time ({attempts} attempts)"),
            Self::Unavailable(_) => format!("the AI provider is unavailable ({attempts} attempts)"),
            Self::Rejected(cause) => {
                return ApiError::Internal(format!("AI provider refused the request: {cause}"));
            }
        };
        ApiError::Coded { code: self.code(), message }
    }

    /// Whether another attempt may succeed.
    fn retryable(&self) -> bool {
        !matches!(self, Self::Rejected(_))
    }
}

/// Classifies a provider error.
pub fn classify(e: OpenAIError) -> Failure {
    match e {
        OpenAIError::ApiError(r) if r.status_code.as_u16() == 429 => Failure::RateLimited,
        OpenAIError::ApiError(r) if r.status_code.is_server_error() => Failure::Unavailable(r.to_string()),
        OpenAIError::Reqwest(e) if e.is_timeout() => Failure::Timeout,
        OpenAIError::Reqwest(e) => Failure::Unavailable(e.to_string()),
        other => Failure::Rejected(other.to_string()),
    }
}

/// The delay before retry `n` (0-based): base × 2ⁿ.
pub fn backoff(cfg: &LlmConfig, n: u32) -> Duration {
    Duration::from_millis(cfg.retry_base_ms.saturating_mul(1 << n.min(10)))
}

/// One chat completion with retries; returns the answer or the last
/// failure, and how many attempts were made.
pub async fn chat(
    client: &Provider,
    cfg: &LlmConfig,
    request: &CreateChatCompletionRequest,
) -> (Result<CreateChatCompletionResponse, Failure>, u32) {
    let timeout = Duration::from_millis(cfg.timeout_ms);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failure = match tokio::time::timeout(timeout, client.chat().create(request.clone())).await {
            Ok(Ok(answer)) => return (Ok(answer), attempts),
            Ok(Err(e)) => classify(e),
            Err(_) => Failure::Timeout,
        };
        tracing::warn!(attempt = attempts, failure = ?failure, "AI provider call failed");
        if !failure.retryable() || attempts > cfg.max_retries {
            return (Err(failure), attempts);
        }
        tokio::time::sleep(backoff(cfg, attempts - 1)).await;
    }
}
