//! Who is calling: a request's credentials verified, and the tenant and
//! user they name checked to be active (the grant cache) — the same for an
//! HTTP request and a WebSocket's `connection_init`.

use axum::http::HeaderMap;

use crate::{
    Auth, auth,
    error::ApiError,
    isolation::{self, Isolation},
    state::Kit,
};

/// Authenticates a request and checks that its token still names an
/// active tenant and user ([`crate::rbac::Rbac::admit`]). Runs as the
/// platform: an API key is found before its tenant is known.
pub(crate) async fn admitted(headers: &HeaderMap, kit: &Kit, request_id: &str) -> Auth {
    isolation::as_platform(check(headers, kit, request_id)).await
}

/// Whose rows the request of `auth` may touch: its tenant's; every tenant's
/// for an operator of the platform; none for an anonymous or refused caller.
pub(crate) fn isolation_of(auth: &Auth) -> Isolation {
    match auth {
        Auth::Authenticated(caller) if caller.holds_platform_role() => Isolation::Platform,
        Auth::Authenticated(caller) => Isolation::Tenant(caller.tenant_id),
        Auth::Anonymous | Auth::Invalid(_) => Isolation::Nobody,
    }
}

async fn check(headers: &HeaderMap, kit: &Kit, request_id: &str) -> Auth {
    match auth::authenticate(headers, &kit.verifier, &kit.db, request_id).await {
        Auth::Authenticated(ctx) => match kit.rbac.admit(&ctx).await {
            Ok(()) => Auth::Authenticated(ctx),
            Err(ApiError::Unauthenticated(why)) => Auth::Invalid(why),
            Err(e) => {
                tracing::error!(error = %e, "could not check the caller's standing");
                Auth::Invalid("could not verify the caller; try again".into())
            }
        },
        other => other,
    }
}
