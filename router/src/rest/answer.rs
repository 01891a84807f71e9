//! A pipeline answer as a REST response: on success the operation's data
//! (its only root field's value, when it has one; `null` there is 404), on
//! any error `{"error": {code, message, reason}, "errors": [...]}` with the
//! HTTP status of the first error's stable code (docs/design.md §5).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use backbone_schema::ErrorCode;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json, value::RawValue};

use super::table::Route;
use crate::{error::PipelineError, request::Outcome};

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    errors: Vec<Value>,
}

/// The JSON a REST client gets, and its status.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Bytes,
    /// Seconds for `Retry-After`.
    pub retry_after: Option<u64>,
}

impl Reply {
    /// The reply to `outcome` of `route`'s operation.
    pub fn from_outcome(route: &Route, outcome: Outcome) -> Self {
        let Ok(answer) = serde_json::from_slice::<Answer<'_>>(&outcome.body) else {
            tracing::error!("the pipeline answered something other than a GraphQL response");
            return Self::error(&PipelineError::Internal("the answer could not be read".into()));
        };
        if !answer.errors.is_empty() {
            return Self { retry_after: outcome.retry_after, ..Self::errors(answer.errors) };
        }
        let Some(data) = answer.data else {
            return Self::error(&PipelineError::Internal("the answer has no data".into()));
        };
        let value = match &route.operation.root {
            None => data,
            Some(root) => {
                match serde_json::from_str::<std::collections::HashMap<&str, &RawValue>>(data.get())
                    .ok()
                    .and_then(|m| m.get(root.as_str()).copied())
                {
                    Some(v) => v,
                    None => {
                        return Self::error(&PipelineError::Internal(
                            "the answer lacks its root field".into(),
                        ));
                    }
                }
            }
        };
        if value.get() == "null" {
            return Self::errors(vec![json!({"message": "not found", "extensions": {"code": "NOT_FOUND"}})]);
        }
        Self { status: route.status, body: Bytes::copy_from_slice(value.get().as_bytes()), retry_after: None }
    }

    /// The reply to an error met before the pipeline ran.
    pub fn error(e: &PipelineError) -> Self {
        let retry_after = match e {
            PipelineError::RateLimited { retry_after_seconds } => Some(*retry_after_seconds),
            _ => None,
        };
        Self { retry_after, ..Self::errors(e.graphql()) }
    }

    /// A coded error the REST layer itself raises (unknown route, a
    /// reused idempotency key).
    pub fn coded(code: ErrorCode, reason: &str, message: &str) -> Self {
        Self::errors(vec![
            json!({"message": message, "extensions": {"code": code.as_str(), "reason": reason}}),
        ])
    }

    fn errors(errors: Vec<Value>) -> Self {
        let first = &errors[0];
        let code = first["extensions"]["code"].as_str().unwrap_or("INTERNAL");
        let reason = first["extensions"]["reason"].as_str();
        let status = status(code, reason);
        let mut error = json!({"code": code, "message": first["message"]});
        if let Some(reason) = reason {
            error["reason"] = json!(reason);
        }
        let body = json!({"error": error, "errors": errors});
        Self { status, body: Bytes::from(serde_json::to_vec(&body).unwrap_or_default()), retry_after: None }
    }
}

/// The HTTP status of a stable code; a few reasons are more precise.
pub fn status(code: &str, reason: Option<&str>) -> u16 {
    match reason {
        Some("METHOD_NOT_ALLOWED") => 405,
        Some("NOT_READY") => 503,
        Some("PAYLOAD_TOO_LARGE") => 413,
        // A stored operation the loaded graph cannot run: the route does
        // not exist on this graph.
        Some("GRAPHQL_VALIDATION_FAILED") => 404,
        _ => ErrorCode::parse(code).unwrap_or(ErrorCode::Internal).http_status(),
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], self.body)
                .into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
