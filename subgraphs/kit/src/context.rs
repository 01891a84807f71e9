//! Who is calling: the typed request context resolvers read.

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// What kind of principal made the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A user with a bearer token.
    User,
    /// A partner API key.
    ApiKey,
}

/// A verified caller (docs/design.md §4). Resolvers read this, never headers.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The tenant every query is scoped to.
    pub tenant_id: Uuid,
    /// User id, or API key id for [`Principal::ApiKey`].
    pub user_id: Uuid,
    /// Role names from the token (or the key).
    pub roles: Vec<String>,
    /// Scopes from the token (or the key).
    pub scopes: Vec<String>,
    /// User or API key.
    pub principal: Principal,
    /// Request id, for logs and internal error references.
    pub request_id: String,
    /// When the credential stops being valid (token `exp`, API key
    /// expiry), seconds since the epoch; open subscriptions end then.
    pub expires_at: Option<i64>,
}

impl RequestContext {
    /// Whether the caller operates the platform (token role `platform_admin`).
    /// Only user tokens can carry it; API keys never do.
    pub fn is_platform_admin(&self) -> bool {
        self.has_token_role(backbone_schema::roles::PLATFORM_ADMIN)
    }

    /// Whether the caller operates billing: a platform admin, or a user
    /// token with the platform role `billing_admin`. API keys never do.
    pub fn operates_billing(&self) -> bool {
        self.is_platform_admin() || self.has_token_role(backbone_schema::roles::BILLING_ADMIN)
    }

    /// Whether the caller holds one of the platform's roles
    /// (`backbone_schema::roles::PLATFORM_ROLES`), which are token-only.
    pub fn holds_platform_role(&self) -> bool {
        backbone_schema::roles::PLATFORM_ROLES.iter().any(|r| self.has_token_role(r))
    }

    /// A role carried by a user token (API keys never carry the
    /// platform's roles).
    fn has_token_role(&self, role: &str) -> bool {
        self.principal == Principal::User && self.roles.iter().any(|r| r == role)
    }
}

/// The authentication outcome of one request, stored in the GraphQL context.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No credentials were presented.
    Anonymous,
    /// Credentials were presented and rejected; the reason is client-safe.
    Invalid(String),
    /// A verified caller.
    Authenticated(RequestContext),
}

impl Auth {
    /// The caller, or `UNAUTHENTICATED`.
    pub fn require(&self) -> ApiResult<&RequestContext> {
        match self {
            Auth::Authenticated(ctx) => Ok(ctx),
            Auth::Anonymous => Err(ApiError::Unauthenticated("authentication required".into())),
            Auth::Invalid(reason) => Err(ApiError::Unauthenticated(reason.clone())),
        }
    }
}

/// Reads the caller from a GraphQL resolver context.
pub trait AuthExt {
    /// The verified caller, or `UNAUTHENTICATED`.
    fn caller(&self) -> ApiResult<&RequestContext>;
}

impl AuthExt for async_graphql::Context<'_> {
    fn caller(&self) -> ApiResult<&RequestContext> {
        match self.data_opt::<Auth>() {
            Some(auth) => auth.require(),
            None => Err(ApiError::Unauthenticated("authentication required".into())),
        }
    }
}

/// The client's user agent as the edge passed it on (evidence recorded
/// with signatures), at most 500 characters. `None` when there was none.
#[derive(Debug, Clone, Default)]
pub struct UserAgent(pub Option<String>);

impl UserAgent {
    /// Reads `User-Agent`.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        Self(agent.map(|a| a.chars().take(500).collect()))
    }
}

/// The client's address as the edge reported it (`X-Forwarded-For`, first
/// hop), recorded as evidence with consents. `None` when no edge said.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

impl ClientIp {
    /// Reads the first `X-Forwarded-For` hop, if it parses as an address.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let first = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        Self(first.map(str::to_owned))
    }
}
