//! The complaints subgraph: intake (signed in or anonymous, with a public
//! tracking code), routing and round-robin assignment, SLA policies over
//! business-hours calendars, the SLA engine and escalation ladder, the
//! timeline, and live status over subscriptions (docs/design.md §7).

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

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
    type Config = config::ComplaintsConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> ComplaintsSchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::ComplaintsData))
    }

    /// The SLA engine, and the consumer filing complaints recorded on
    /// devices (`sync.complaint.filed`).
    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        let devices = {
            let (kit, shutdown) = (kit.clone(), shutdown.clone());
            tokio::spawn(async move {
                let member = format!("complaints-{}", uuid::Uuid::new_v4());
                let consumer = domain::from_devices::CONSUMER;
                subgraph_kit::bus::consumer::run(&kit, consumer, &member, shutdown, |event| {
                    let db = kit.db.clone();
                    async move { domain::from_devices::follow(&db, &event).await }
                })
                .await;
            })
        };
        vec![tokio::spawn(run_sla_engine(kit.clone(), shutdown)), devices]
    }
}

/// Runs the SLA engine, a pass every `complaints.sla_tick_ms`, until
/// `shutdown` resolves.
pub async fn run_sla_engine(kit: Kit, shutdown: impl std::future::Future<Output = ()>) {
    let every = std::time::Duration::from_millis(Complaints::settings(&kit).sla_tick_ms);
    domain::engine::run(kit, every, shutdown).await;
}
