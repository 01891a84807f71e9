//! The complaints subgraph: intake (signed in or anonymous, with a public
//! tracking code), routing and round-robin assignment, SLA policies over
//! business-hours calendars, the SLA engine and escalation ladder, the
//! timeline, and live status over subscriptions (docs/design.md §7).

pub mod domain;
pub mod graphql;

use async_graphql::Schema;
use axum::Router;
use subgraph_kit::Kit;

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "complaints";

/// The complaints schema type.
pub type ComplaintsSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> ComplaintsSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit).finish()
}

/// The HTTP app: `/graphql` (HTTP and WebSocket), `/playground`, `/health`,
/// `/ready`.
pub fn app(kit: &Kit) -> Router {
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone()).merge(
        subgraph_kit::contract::routes(kit.clone(), std::sync::Arc::new(domain::data::ComplaintsData)),
    );
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports.
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}

/// Runs the SLA engine until `shutdown` resolves.
pub async fn run_sla_engine(kit: Kit, shutdown: impl std::future::Future<Output = ()>) {
    domain::engine::run(kit, shutdown).await;
}
