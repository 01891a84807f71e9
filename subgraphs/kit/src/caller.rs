//! Who is calling: a request's credentials verified, and the tenant and
//! user they name checked to be active (the grant cache) — the same for an
//! HTTP request and a WebSocket's `connection_init`.

use axum::http::HeaderMap;

use crate::{Auth, auth, error::ApiError, state::Kit};

/// Authenticates a request and checks that its token still names an
/// active tenant and user ([`crate::rbac::Rbac::admit`]).
pub(crate) async fn admitted(headers: &HeaderMap, kit: &Kit, request_id: &str) -> Auth {
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
