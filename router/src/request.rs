//! The shapes a request takes on its way through the router, shared by the
//! HTTP and WebSocket edges, the pipeline and the graph's document cache:
//! the request as sent, its prepared document, the verified caller, and
//! the answer.

use graphql_tools::{parser::query::Definition, static_graphql::query::Document};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::PipelineError;

/// A GraphQL-over-HTTP request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    /// The document.
    pub query: Option<String>,
    /// Which operation of the document.
    pub operation_name: Option<String>,
    /// Variable values.
    pub variables: Option<Value>,
    /// Protocol extensions (ignored).
    pub extensions: Option<Value>,
}

/// A parsed, limit-checked, validated document, cached per graph by its
/// text so repeated operations skip straight to variables and planning.
pub struct Prepared {
    /// Index of the chosen operation in `doc.definitions`.
    pub(crate) operation: usize,
    pub(crate) root_fields: Vec<String>,
    pub(crate) doc: Document,
}

impl Prepared {
    /// The chosen operation's parts.
    pub(crate) fn parts(&self) -> Result<crate::operation::Parts<'_>, PipelineError> {
        match self.doc.definitions.get(self.operation) {
            Some(Definition::Operation(op)) => Ok(crate::operation::parts(op)),
            _ => Err(PipelineError::BadRequest("no operation with that name".into())),
        }
    }
}

/// A verified caller: the headers to forward and, when a token was
/// presented, its tenant (for per-tenant limits).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// Headers forwarded to subgraphs.
    pub forward: HeaderMap,
    /// Tenant and principal (user or API key) of the verified token.
    pub identity: Option<(uuid::Uuid, uuid::Uuid)>,
}

/// The answer: an HTTP status (used under graphql-response+json) and body.
pub struct Outcome {
    /// HTTP status.
    pub status: u16,
    /// `{data, errors}`, serialized.
    pub body: Vec<u8>,
    /// Seconds for a `Retry-After` header (rate limited).
    pub retry_after: Option<u64>,
    /// Executed, with errors beside the data (a subgraph failed or refused
    /// part of it): counted as `partial` in the metrics.
    pub partial: bool,
}

impl Outcome {
    /// An outcome from a JSON value.
    pub fn json(status: u16, body: &Value) -> Self {
        // Serializing a Value into a Vec cannot fail.
        Outcome {
            status,
            body: serde_json::to_vec(body).unwrap_or_default(),
            retry_after: None,
            partial: false,
        }
    }
}

impl From<PipelineError> for Outcome {
    fn from(e: PipelineError) -> Self {
        let retry_after = match e {
            PipelineError::RateLimited { retry_after_seconds } => Some(retry_after_seconds),
            _ => None,
        };
        Outcome { retry_after, ..Outcome::json(e.status(), &json!({"errors": e.graphql()})) }
    }
}
