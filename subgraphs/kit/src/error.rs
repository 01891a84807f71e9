//! The error every resolver returns, with what a client may see split from
//! what only the log may see.

use backbone_schema::ErrorCode;
use uuid::Uuid;

/// Result alias for resolvers and domain functions.
pub type ApiResult<T> = Result<T, ApiError>;

/// An error with a stable code (docs/design.md §5).
///
/// Every variant but [`ApiError::Internal`] carries a message meant for the
/// client. `Internal` carries a cause meant only for the log; the client sees
/// a generic message and a reference to find the log line.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing, expired or invalid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller lacks a permission.
    #[error("{0}")]
    Forbidden(String),
    /// The input is malformed or breaks a rule; `field` names the input path.
    #[error("{message}")]
    BadUserInput {
        /// What is wrong, for the client.
        message: String,
        /// Which input field, when known.
        field: Option<String>,
    },
    /// No such thing visible to the caller (also used for other tenants'
    /// rows, so existence never leaks).
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with current state.
    #[error("{0}")]
    Conflict(String),
    /// A code from the shared list with a client-safe message, for domains
    /// that need one of the rarer codes.
    #[error("{message}")]
    Coded {
        /// The code.
        code: ErrorCode,
        /// Client-safe message.
        message: String,
    },
    /// A code and the `extensions.reason` that tells its causes apart
    /// (`CONFLICT` because `SLOT_TAKEN`), with a client-safe message.
    #[error("{message}")]
    Because {
        /// The code.
        code: ErrorCode,
        /// Which cause, `SCREAMING_SNAKE_CASE`, stable.
        reason: &'static str,
        /// Client-safe message.
        message: String,
    },
    /// Anything unexpected; the cause is logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A bad input on a named field.
    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        Self::BadUserInput { message: message.into(), field: Some(field.to_owned()) }
    }

    /// A `CONFLICT` with a stable reason.
    pub fn conflict(reason: &'static str, message: impl Into<String>) -> Self {
        Self::Because { code: ErrorCode::Conflict, reason, message: message.into() }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Coded { code, .. } | Self::Because { code, .. } => *code,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Writes this error's client view into a GraphQL server error: the
    /// code, the field, and for internal errors a generic message with a
    /// reference that is logged beside the cause.
    pub fn apply_to(&self, err: &mut async_graphql::ServerError) {
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", self.code().as_str());
        match self {
            Self::Internal(cause) => {
                let reference = Uuid::now_v7();
                tracing::error!(%reference, %cause, path = ?err.path, "internal error");
                err.message = format!("internal error (reference {reference})");
                ext.set("reference", reference.to_string());
            }
            Self::BadUserInput { field: Some(field), .. } => ext.set("field", field.as_str()),
            Self::Because { reason, .. } => ext.set("reason", *reason),
            _ => {}
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(format!("database: {err}"))
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}
