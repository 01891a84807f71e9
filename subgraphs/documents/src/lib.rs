//! The documents subgraph: versioned templates with typed fields rendered
//! to PDF in the process (Typst, with the fonts shipped in `fonts/`),
//! documents with immutable versions whose bytes live in an object store
//! under their SHA-256, and short-lived signed download links
//! (docs/design.md §7).

pub mod config;
pub mod domain;
mod graphql;
pub mod links;
pub mod permissions;
pub mod render;
mod routes;
pub mod seal;
pub mod store;

use async_graphql::Schema;
use axum::Router;
use std::sync::Arc;

use subgraph_kit::{
    Kit,
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};
use tokio::task::JoinHandle;

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "documents";

/// The documents schema type.
pub type DocumentsSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The documents subgraph.
pub struct Documents;

impl Documents {
    /// The store, link signer and render pool `kit`'s `[documents]` table
    /// describes. A store that cannot be opened is logged, and every
    /// document read or write then fails with an internal error (the rest
    /// of the graph still starts; nothing is written elsewhere).
    pub fn services(kit: &Kit) -> domain::Services {
        domain::Services::open(kit.db.clone(), Self::settings(kit))
    }
}

impl Subgraph for Documents {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = SubscriptionRoot;
    type Config = config::DocumentsConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> DocumentsSchema {
        subgraph_kit::graphql::configure(
            Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot),
            kit,
        )
        .data(Self::services(kit))
        .finish()
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        // Served only through `data_contract_for`, which hands it the store.
        let store = store::Store::unavailable("the data contract was used without its store".into());
        Some(Arc::new(domain::data::DocumentsData { store }))
    }

    fn data_contract_for(&self, kit: &Kit) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::DocumentsData { store: Self::services(kit).store }))
    }

    fn routes(&self, kit: &Kit) -> Router {
        routes::routes(kit, Self::services(kit))
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        vec![tokio::spawn(domain::signing::run(Self::services(kit), shutdown))]
    }
}
