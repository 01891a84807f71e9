//! The router's one error model: every error it adds to a response, before
//! execution or during it, is a [`PipelineError`], turned into GraphQL
//! error objects by [`PipelineError::graphql`] alone, with its stable code
//! (docs/design.md §5) and, where one code covers several causes, a
//! `reason`. What the client sees is the message; details stay in the log.

use backbone_schema::ErrorCode;
use serde_json::{Value, json};

/// Why the router refused a request, or what it adds to an answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PipelineError {
    /// The body is not a GraphQL request.
    #[error("{0}")]
    BadRequest(String),
    /// The query does not parse.
    #[error("syntax error: {0}")]
    Parse(String),
    /// The query does not validate against the schema: every reason.
    #[error("{}", .0.join("; "))]
    Validation(Vec<String>),
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
    /// Over a subscription limit of `realtime` (per connection or tenant).
    #[error("{0}")]
    SubscriptionLimit(String),
    /// An operation the router cannot run (`@defer`, a subscription over
    /// HTTP).
    #[error("{0}")]
    Unsupported(String),
    /// A subgraph could not be reached or answered nonsense.
    #[error("subgraph {service:?} is unavailable: {reason}")]
    SubgraphUnavailable {
        /// The subgraph's name in the supergraph.
        service: String,
        /// What went wrong, for the client.
        reason: String,
    },
    /// A subgraph answered null for a non-null field without an error to
    /// explain it: it broke its own schema.
    #[error("Cannot return null for non-nullable field {parent}.{field}")]
    NonNullViolation {
        /// The parent type.
        parent: String,
        /// The field.
        field: String,
    },
    /// A fault of the router itself. The message is what the client sees;
    /// the detail goes to the log where the fault is met.
    #[error("{0}")]
    Internal(String),
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

impl PipelineError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::NotReady | Self::SubgraphUnavailable { .. } => ErrorCode::SubgraphUnavailable,
            Self::RateLimited { .. } | Self::SubscriptionLimit(_) => ErrorCode::RateLimited,
            Self::NonNullViolation { .. } | Self::Internal(_) => ErrorCode::Internal,
            Self::BadRequest(_)
            | Self::Parse(_)
            | Self::Validation(_)
            | Self::Method(_)
            | Self::Limit { .. }
            | Self::Variable { .. }
            | Self::Unsupported(_) => ErrorCode::BadUserInput,
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
            Self::SubscriptionLimit(_) => "MAX_SUBSCRIPTIONS_EXCEEDED",
            Self::Unsupported(_) => "UNSUPPORTED_OPERATION",
            Self::SubgraphUnavailable { .. } => "SUBGRAPH_UNAVAILABLE",
            Self::NonNullViolation { .. } => "NON_NULL_VIOLATION",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The GraphQL error objects: one per validation failure, else one.
    /// The only place the router writes an error object.
    pub fn graphql(&self) -> Vec<Value> {
        self.graphql_at(None)
    }

    /// [`PipelineError::graphql`] with the response `path` it is about.
    pub fn graphql_at(&self, path: Option<&[Value]>) -> Vec<Value> {
        let object = |message: String| {
            let mut extensions = json!({"code": self.code().as_str(), "reason": self.reason()});
            if let Self::SubgraphUnavailable { service, .. } = self {
                extensions["serviceName"] = json!(service);
            }
            let mut error = json!({"message": message, "extensions": extensions});
            if let Some(path) = path {
                error["path"] = Value::Array(path.to_vec());
            }
            error
        };
        match self {
            Self::Validation(messages) => messages.iter().cloned().map(object).collect(),
            _ => vec![object(self.to_string())],
        }
    }

    /// HTTP status under `application/graphql-response+json`.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated(_) => 401,
            Self::NotReady => 503,
            Self::RateLimited { .. } | Self::SubscriptionLimit(_) => 429,
            Self::Method(_) => 405,
            Self::SubgraphUnavailable { .. } => 502,
            Self::NonNullViolation { .. } | Self::Internal(_) => 500,
            _ => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_object_carries_its_code_and_reason() {
        let errors = [
            PipelineError::Validation(vec!["a".into(), "b".into()]),
            PipelineError::SubgraphUnavailable { service: "reviews".into(), reason: "timeout".into() },
            PipelineError::NonNullViolation { parent: "Product".into(), field: "votes".into() },
            PipelineError::Limit { limit: LimitKind::Depth, actual: Some(40), max: 32 },
            PipelineError::SubscriptionLimit("at most 1".into()),
        ];
        let objects: Vec<Vec<Value>> = errors.iter().map(PipelineError::graphql).collect();
        assert_eq!(objects[0].len(), 2, "one object per validation failure");
        for (error, list) in errors.iter().zip(&objects) {
            for o in list {
                assert_eq!(o["extensions"]["code"], error.code().as_str(), "{o}");
                assert_eq!(o["extensions"]["reason"], error.reason(), "{o}");
                assert!(o["message"].as_str().is_some_and(|m| !m.is_empty()), "{o}");
            }
        }
        assert_eq!(objects[1][0]["extensions"]["serviceName"], "reviews");
        assert_eq!(objects[1][0]["extensions"]["code"], "SUBGRAPH_UNAVAILABLE");
        let at = errors[2].graphql_at(Some(&[json!("topProducts"), json!(3), json!("votes")]));
        assert_eq!(at[0]["path"], json!(["topProducts", 3, "votes"]));
        assert_eq!(at[0]["extensions"]["code"], "INTERNAL");
    }
}
