//! The tenants subgraph: tenants, users, roles and permissions, API keys,
//! the audit log and usage against limits (docs/design.md §7).
//!
//! `schema(kit)` builds the Federation v2 schema; `app(kit)` routes it with
//! the kit's edges (health, readiness, request ids, body limit), ready to
//! serve on any listener.

pub mod domain;
pub mod graphql;

use async_graphql::{EmptySubscription, Schema};
use axum::Router;
use subgraph_kit::Kit;

pub use graphql::{MutationRoot, QueryRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "tenants";

/// The tenants schema type.
pub type TenantsSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> TenantsSchema {
    let builder =
        Schema::build(QueryRoot, MutationRoot, EmptySubscription).data(graphql::loaders::loaders(kit));
    subgraph_kit::graphql::configure(builder, kit).finish()
}

/// Seconds an exchanged API key token is valid.
pub const API_KEY_TOKEN_TTL: i64 = 60;

/// The HTTP app: `/graphql`, `/playground`, `/health`, `/ready`, and
/// `POST /auth/api-key` (the router exchanges `X-Api-Key` for a token).
pub fn app(kit: &Kit) -> Router {
    let exchange =
        Router::new().route("/auth/api-key", axum::routing::post(exchange_api_key)).with_state(kit.clone());
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone())
        .merge(exchange)
        .merge(subgraph_kit::contract::routes(kit.clone(), std::sync::Arc::new(domain::data::TenantsData)));
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports (what `_service { sdl }` returns).
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}

/// `POST /auth/api-key` with `X-Api-Key`: a short-lived token carrying the
/// key's tenant, roles and scopes, or 401 with code UNAUTHENTICATED.
async fn exchange_api_key(
    axum::extract::State(kit): axum::extract::State<Kit>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::{Json, http::StatusCode, response::IntoResponse};
    let presented =
        headers.get(backbone_schema::headers::API_KEY).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match subgraph_kit::auth::api_key::exchange(&kit.db, &kit.config.auth, presented, API_KEY_TOKEN_TTL).await
    {
        Ok(token) => {
            Json(serde_json::json!({"token": token, "expiresIn": API_KEY_TOKEN_TTL})).into_response()
        }
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": {"message": "invalid API key", "code": "UNAUTHENTICATED"}})),
        )
            .into_response(),
    }
}
