//! Turning request credentials into a verified [`RequestContext`].
//!
//! Bearer tokens are verified by [`TokenVerifier`] (HS256 or JWKS keys);
//! `X-Api-Key` keys are looked up by [`api_key::authenticate`]. A request
//! with neither is anonymous; a request whose credentials fail is
//! `Auth::Invalid` with a client-safe reason, so resolvers answer
//! `UNAUTHENTICATED` while schema introspection for composition still works.

pub mod api_key;
pub use backbone_edge::auth::{
    TokenError, TokenVerifier, claims_for, http_client, http_client_builder, mint_hs256,
};

use axum::http::HeaderMap;
use backbone_schema::headers;
use sea_orm::DatabaseConnection;

use crate::context::{Auth, Principal, RequestContext};

/// Authenticates one request from its headers.
pub async fn authenticate(
    headers: &HeaderMap,
    verifier: &TokenVerifier,
    db: &DatabaseConnection,
    request_id: &str,
) -> Auth {
    if let Some(value) = headers.get(headers::AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
            return Auth::Invalid("Authorization must be `Bearer <token>`".into());
        };
        return match verifier.verify(token.trim()).await {
            Ok(claims) if claims.kind.as_deref() == Some(backbone_schema::claims::KIND_API_KEY) => {
                // An API key exchanged at the router: still checked against
                // the key store, so revocation acts on the next request.
                match api_key::still_valid(db, claims.sub, claims.tid).await {
                    Ok(true) => Auth::Authenticated(context(claims, Principal::ApiKey, request_id)),
                    _ => Auth::Invalid("invalid API key".into()),
                }
            }
            Ok(claims) => Auth::Authenticated(context(claims, Principal::User, request_id)),
            Err(err) => {
                tracing::info!(error = %err, "token rejected");
                Auth::Invalid(err.client_message().into())
            }
        };
    }
    if let Some(value) = headers.get(headers::API_KEY) {
        let Ok(key) = value.to_str() else {
            return Auth::Invalid("invalid API key".into());
        };
        return match api_key::authenticate(db, key, request_id).await {
            Ok(ctx) => Auth::Authenticated(ctx),
            Err(err) => Auth::Invalid(err.to_string()),
        };
    }
    Auth::Anonymous
}

fn context(claims: backbone_schema::Claims, principal: Principal, request_id: &str) -> RequestContext {
    RequestContext {
        tenant_id: claims.tid,
        user_id: claims.sub,
        scopes: claims.scopes().map(str::to_owned).collect(),
        roles: claims.roles,
        principal,
        request_id: request_id.to_owned(),
        expires_at: Some(claims.exp),
    }
}
