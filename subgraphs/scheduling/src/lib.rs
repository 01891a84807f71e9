//! The scheduling subgraph: people, rooms and equipment booked together
//! and never double-booked, availability across time zones and daylight
//! saving, free-slot search, holds, the appointment lifecycle and live
//! appointment updates, recurring series, the waitlist and reminders
//! (docs/design.md §7).

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
pub const NAME: &str = "scheduling";

/// The scheduling schema type.
pub type SchedulingSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The scheduling subgraph; its workers lapse unconfirmed holds and follow
/// the plans' appointment quotas.
pub struct Scheduling;

impl Subgraph for Scheduling {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = SubscriptionRoot;
    type Config = config::SchedulingConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> SchedulingSchema {
        subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit)
            .data(Self::settings(kit))
            .finish()
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::SchedulingData))
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        let settings = Self::settings(kit);
        let every = std::time::Duration::from_millis(settings.sweep_interval_ms);
        vec![
            tokio::spawn(domain::lifecycle::run(
                kit.db.clone(),
                every,
                settings.offer_ttl(),
                shutdown.clone(),
            )),
            subgraph_kit::quota::follower(
                kit,
                domain::booking::QUOTA_GROUP,
                domain::booking::QUOTAS,
                shutdown,
            ),
        ]
    }
}
