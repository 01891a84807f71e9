//! JWT claims (docs/design.md §4).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The claims every Backbone token carries.
///
/// `sub` and `tid` are UUIDs; a token whose `sub` or `tid` is not a UUID does
/// not deserialize and is therefore rejected as unauthenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id (or API key id for partner keys).
    pub sub: Uuid,
    /// The tenant the token acts in.
    pub tid: Uuid,
    /// Role names, e.g. `tenant_admin`, `platform_admin`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// What kind of principal `sub` is: absent for users, `api_key` for a
    /// partner key exchanged for a token at the router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// [`Claims::kind`] of an exchanged API key.
pub const KIND_API_KEY: &str = "api_key";

impl Claims {
    /// The scopes as a list.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }

    /// Whether the token carries the given role.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let claims = Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            roles: vec!["clinician".into(), "staff".into()],
            scope: "graph:read graph:write".into(),
            exp: 2_000_000_000,
            iat: 1_700_000_000,
            iss: "backbone".into(),
            aud: "backbone-api".into(),
            kind: None,
        };
        let json = serde_json::to_string(&claims).expect("serialize");
        let back: Claims = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, claims);
        assert_eq!(back.scopes().collect::<Vec<_>>(), ["graph:read", "graph:write"]);
        assert!(back.has_role("staff"));
        assert!(!back.has_role("platform_admin"));
    }

    #[test]
    fn rejects_a_subject_that_is_not_a_uuid() {
        let json = r#"{"sub":"alice","tid":"0190a5a0-0000-7000-8000-000000000000","exp":1,"iat":1,"iss":"i","aud":"a"}"#;
        assert!(serde_json::from_str::<Claims>(json).is_err());
    }
}
