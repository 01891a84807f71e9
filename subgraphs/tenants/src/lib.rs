//! The tenants subgraph: tenants, users, roles and permissions, API keys,
//! the audit log and usage against limits (DESIGN.md §7).
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

/// The HTTP app: `/graphql`, `/playground`, `/health`, `/ready`.
pub fn app(kit: &Kit) -> Router {
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone());
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports (what `_service { sdl }` returns).
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}
