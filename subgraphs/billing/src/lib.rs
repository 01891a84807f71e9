//! The billing subgraph (docs/design.md §7): money in ISO 4217
//! currencies with their minor units ([`domain::money`]), the charge
//! models ([`domain::charges`]), the operator's catalogue of billable
//! metrics and versioned plans ([`domain::catalogue`]), metering of the
//! platform's events and products' usage ([`domain::ingest`]),
//! subscriptions and their periods ([`domain::subscriptions`]), invoices
//! with taxes, coupons, wallets and credit notes, usage reported late
//! ([`domain::late_usage`]), payments and cards ([`domain::collection`]),
//! dunning, and the entitlements the spending subgraphs enforce
//! ([`domain::entitlements`]).

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use subgraph_kit::{
    Kit,
    bus::consumer::{self, Retry},
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};
use tokio::task::JoinHandle;

pub use graphql::{MutationRoot, QueryRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "billing";

/// The billing schema type.
pub type BillingSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The billing subgraph.
pub struct Billing;

impl Subgraph for Billing {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    type Config = config::BillingConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::BillingData))
    }

    fn schema(&self, kit: &Kit) -> BillingSchema {
        subgraph_kit::graphql::configure(
            Schema::build(QueryRoot, MutationRoot::default(), EmptySubscription),
            kit,
        )
        .data(graphql::Cards(Self::settings(kit).processor()))
        .data(Self::settings(kit))
        .finish()
    }

    /// Meters the platform's events (the consumer group
    /// [`domain::ingest::CONSUMER`], in batches of what is waiting) and
    /// renews subscriptions whose period has ended.
    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        let settings = Self::settings(kit);
        let every = std::time::Duration::from_millis(settings.sweep_interval_ms);
        let renewal = tokio::spawn(domain::renewal::run(kit.db.clone(), every, settings, shutdown.clone()));
        let kit = kit.clone();
        let metering = tokio::spawn(async move {
            let member = format!("billing-{}", uuid::Uuid::new_v4());
            let group = domain::ingest::CONSUMER;
            consumer::run_batches(
                &kit,
                group,
                &member,
                METERING_BATCH,
                Retry::default(),
                shutdown,
                |events| {
                    let db = kit.db.clone();
                    async move {
                        // An event a metric matches but cannot read is parked
                        // at once: trying it again cannot help.
                        for u in domain::ingest::from_bus(&db, &events).await? {
                            tracing::warn!(event = %u.event.id, reason = %u.reason, "usage event parked");
                            consumer::park(&db, group, &u.event, &u.reason, 1).await?;
                        }
                        Ok(())
                    }
                },
            )
            .await;
        });
        vec![metering, renewal]
    }
}

/// Events metered per transaction, at most.
const METERING_BATCH: usize = 10_000;
