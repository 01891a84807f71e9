//! The sync subgraph: phones and tablets that work offline upload batches
//! of events, which are accepted exactly once per device and client event
//! id, checked against the JSON Schema their type registered, kept in
//! append-only streams or last-writer-wins records, acknowledged one by
//! one, and carried to the owning subgraphs through the outbox
//! (docs/design.md §7). What cannot be accepted waits in a quarantine for
//! a tenant admin.

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use subgraph_kit::{Kit, contract::DataContract, subgraph::Subgraph};

pub use graphql::{MutationRoot, QueryRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "sync";

/// The sync schema type.
pub type SyncSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The sync subgraph.
pub struct SyncSubgraph;

impl Subgraph for SyncSubgraph {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    type Config = config::SyncConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> SyncSchema {
        subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
            .data(domain::Services::new(kit.db.clone(), Self::settings(kit)))
            .finish()
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::SyncData))
    }
}
