//! Request-level errors of the router, each with a stable code; what the
//! client sees is the message, details stay in the log.

use backbone_schema::ErrorCode;
use serde_json::{Value, json};

/// Why a request was refused before or instead of execution.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RequestError {
    /// The body is not a GraphQL request.
    #[error("{0}")]
    BadRequest(String),
    /// The query does not parse.
    #[error("syntax error: {0}")]
    Parse(String),
    /// The query does not validate against the schema.
    #[error("{0}")]
    Validation(String),
    /// Mutations over GET, or another method misuse.
    #[error("{0}")]
    Method(String),
    /// A limit was exceeded; the kind says which.
    #[error("{limit} limit of {max} exceeded{}", counted(*actual))]
    Limit {
        /// Which limit.
        limit: LimitKind,
        /// What the query has, when counted.
        actual: Option<u64>,
        /// What is allowed.
        max: usize,
    },
    /// A variable value does not match its declared type.
    #[error("variable ${name}: {reason}")]
    Variable {
        /// Variable name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Credentials were presented and rejected.
    #[error("{0}")]
    Unauthenticated(String),
    /// No graph is loaded yet.
    #[error("the router has no supergraph yet")]
    NotReady,
    /// Over a rate limit of `router.rate_limits`.
    #[error("too many requests; retry in {retry_after_seconds} s")]
    RateLimited {
        /// When a retry can succeed.
        retry_after_seconds: u64,
    },
}

/// The limits an operation is held to before it is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// Lexical tokens, counted while parsing.
    Tokens,
    /// Selection nesting, fragments expanded.
    Depth,
    /// Aliased fields in the document.
    Aliases,
    /// Fields at the root of the operation, fragments expanded.
    RootFields,
    /// Fields of the whole operation with every fragment spread expanded:
    /// the operation's cost.
    Fields,
}

impl LimitKind {
    fn reason(self) -> &'static str {
        match self {
            Self::Tokens => "MAX_TOKENS_EXCEEDED",
            Self::Depth => "MAX_DEPTH_EXCEEDED",
            Self::Aliases => "MAX_ALIASES_EXCEEDED",
            Self::RootFields => "MAX_ROOT_FIELDS_EXCEEDED",
            Self::Fields => "MAX_FIELDS_EXCEEDED",
        }
    }
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Tokens => "tokens",
            Self::Depth => "depth",
            Self::Aliases => "aliases",
            Self::RootFields => "root fields",
            Self::Fields => "fields (fragments expanded)",
        })
    }
}

fn counted(actual: Option<u64>) -> String {
    actual.map(|a| format!(" (the operation has {a})")).unwrap_or_default()
}

impl RequestError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::NotReady => ErrorCode::SubgraphUnavailable,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            _ => ErrorCode::BadUserInput,
        }
    }

    /// A finer reason for clients that want it (`extensions.reason`).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "INVALID_REQUEST",
            Self::Parse(_) => "GRAPHQL_PARSE_FAILED",
            Self::Validation(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::Limit { limit, .. } => limit.reason(),
            Self::Variable { .. } => "VARIABLE_INVALID",
            Self::Method(_) => "METHOD_NOT_ALLOWED",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::NotReady => "NOT_READY",
            Self::RateLimited { .. } => "RATE_LIMITED",
        }
    }

    /// The GraphQL error object.
    pub fn to_json(&self) -> Value {
        json!({
            "message": self.to_string(),
            "extensions": {"code": self.code().as_str(), "reason": self.reason()},
        })
    }

    /// HTTP status under `application/graphql-response+json`.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated(_) => 401,
            Self::NotReady => 503,
            Self::RateLimited { .. } => 429,
            Self::Method(_) => 405,
            _ => 400,
        }
    }
}
