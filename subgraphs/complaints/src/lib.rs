//! The complaints subgraph: intake (signed in or anonymous, with a public
//! tracking code), routing and round-robin assignment, SLA policies over
//! business-hours calendars, the SLA engine and escalation ladder, the
//! timeline, and live status over subscriptions (docs/design.md §7).

pub mod domain;
pub mod graphql;

use async_graphql::Schema;
use std::sync::Arc;

use subgraph_kit::{
    Kit,
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};
use tokio::task::JoinHandle;

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "complaints";

/// The complaints schema type.
pub type ComplaintsSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> ComplaintsSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit).finish()
}

/// The complaints subgraph; its worker is the SLA engine.
pub struct Complaints;

impl Subgraph for Complaints {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = SubscriptionRoot;
    const NAME: &'static str = NAME;

    fn schema(&self, kit: &Kit) -> ComplaintsSchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::ComplaintsData))
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        vec![tokio::spawn(run_sla_engine(kit.clone(), shutdown))]
    }
}

/// Runs the SLA engine until `shutdown` resolves.
pub async fn run_sla_engine(kit: Kit, shutdown: impl std::future::Future<Output = ()>) {
    domain::engine::run(kit, shutdown).await;
}
