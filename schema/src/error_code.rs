//! The one list of error codes (docs/design.md §5).

use serde::{Deserialize, Serialize};

/// A stable error code carried in GraphQL `extensions.code` and mapped to an
/// HTTP status by the REST layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// No valid credentials.
    Unauthenticated,
    /// Valid credentials, missing permission.
    Forbidden,
    /// The input is malformed or breaks a rule.
    BadUserInput,
    /// No such thing visible to the caller.
    NotFound,
    /// The change conflicts with the current state.
    Conflict,
    /// The person has not consented to this processing.
    ConsentRequired,
    /// A token or usage budget is spent.
    BudgetExceeded,
    /// Too many requests.
    RateLimited,
    /// A subgraph did not answer in time.
    SubgraphUnavailable,
    /// No AI provider is configured.
    AiProviderNotConfigured,
    /// Anything else; details are only in the log.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of docs/design.md §5.
    pub const ALL: [ErrorCode; 11] = [
        Self::Unauthenticated,
        Self::Forbidden,
        Self::BadUserInput,
        Self::NotFound,
        Self::Conflict,
        Self::ConsentRequired,
        Self::BudgetExceeded,
        Self::RateLimited,
        Self::SubgraphUnavailable,
        Self::AiProviderNotConfigured,
        Self::Internal,
    ];

    /// The wire form, e.g. `BAD_USER_INPUT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::ConsentRequired => "CONSENT_REQUIRED",
            Self::BudgetExceeded => "BUDGET_EXCEEDED",
            Self::RateLimited => "RATE_LIMITED",
            Self::SubgraphUnavailable => "SUBGRAPH_UNAVAILABLE",
            Self::AiProviderNotConfigured => "AI_PROVIDER_NOT_CONFIGURED",
            Self::Internal => "INTERNAL",
        }
    }

    /// The HTTP status the REST layer answers with.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden | Self::ConsentRequired => 403,
            Self::BadUserInput => 400,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::BudgetExceeded | Self::RateLimited => 429,
            Self::SubgraphUnavailable => 502,
            Self::AiProviderNotConfigured => 503,
            Self::Internal => 500,
        }
    }

    /// Parses the wire form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_round_trips_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).expect("serialize");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).expect("parse"), code);
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }

    #[test]
    fn http_statuses_follow_the_design() {
        let statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.http_status()).collect();
        assert_eq!(statuses, [401, 403, 400, 404, 409, 403, 429, 429, 502, 503, 500]);
    }
}
