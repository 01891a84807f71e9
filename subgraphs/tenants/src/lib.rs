//! The tenants subgraph: tenants, users, roles and permissions, API keys,
//! the audit log and usage against limits (docs/design.md §7).
//!
//! `schema(kit)` builds the Federation v2 schema; `app(kit)` routes it with
//! the kit's edges (health, readiness, request ids, body limit), ready to
//! serve on any listener.

pub mod domain;
mod graphql;
pub mod permissions;

use async_graphql::{EmptySubscription, Schema};
use axum::Router;
use subgraph_kit::{Kit, config::NoSettings, contract::DataContract, subgraph::Subgraph};

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

/// The tenants subgraph. Besides `/graphql` it serves `POST /auth/api-key`
/// (the router exchanges `X-Api-Key` for a token).
pub struct Tenants;

impl Subgraph for Tenants {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    type Config = NoSettings;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> TenantsSchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<std::sync::Arc<dyn DataContract>> {
        Some(std::sync::Arc::new(domain::data::TenantsData))
    }

    /// Follows the plans' user limits (`tenants.max_users`).
    fn workers(
        &self,
        kit: &Kit,
        shutdown: subgraph_kit::subgraph::Shutdown,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![subgraph_kit::quota::follower(kit, domain::users::QUOTA_GROUP, domain::users::QUOTAS, shutdown)]
    }

    fn routes(&self, kit: &Kit) -> Router {
        Router::new().route("/auth/api-key", axum::routing::post(exchange_api_key)).with_state(kit.clone())
    }
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
