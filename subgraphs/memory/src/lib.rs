//! The memory subgraph: `remember`, `recall` (consent-aware, ranked by
//! similarity), `forget`; embeddings from the provider or the built-in local
//! embedder; the data contract for DSAR and retention (docs/design.md §7).

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use subgraph_kit::{Kit, contract::DataContract, subgraph::Subgraph};

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
        .data(MemoryState::new(kit, Memory::settings(kit)))
        .finish()
}

/// The memory subgraph.
pub struct Memory;

impl Subgraph for Memory {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    type Config = config::MemoryConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;
    const NEEDS: &'static [subgraph_kit::config::Needs] = &[subgraph_kit::config::Needs::Consent];

    fn schema(&self, kit: &Kit) -> MemorySchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(MemoryData))
    }
}
