//! The memory subgraph: `remember`, `recall` (consent-aware, ranked by
//! similarity), `forget`; embeddings from the provider or the built-in local
//! embedder; the data contract for DSAR and retention (docs/design.md §7).

pub mod domain;
pub mod graphql;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use axum::Router;
use subgraph_kit::Kit;

pub use graphql::{MutationRoot, QueryRoot};

use domain::data::MemoryData;
pub use domain::state::MemoryState;

/// The subgraph's name in the supergraph.
pub const NAME: &str = "memory";

/// The memory schema type.
pub type MemorySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> MemorySchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
        .data(MemoryState::new(kit))
        .finish()
}

/// The HTTP app: `/graphql`, `/playground`, `/health`, `/ready` and the
/// data contract.
pub fn app(kit: &Kit) -> Router {
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone())
        .merge(subgraph_kit::contract::routes(kit.clone(), Arc::new(MemoryData)));
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports.
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}
