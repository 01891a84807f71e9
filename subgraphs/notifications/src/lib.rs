//! The notifications subgraph: turns domain events into notifications per
//! user and preference; the in-app inbox; webhook, SMS and push delivery
//! (signed, retried); templates; quiet hours; `notificationReceived`
//! (docs/design.md §7).

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

use std::sync::Arc;

use async_graphql::Schema;
use subgraph_kit::{
    Kit,
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};
use tokio::sync::Notify;

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "notifications";

/// The notifications schema type.
pub type NotificationsSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> NotificationsSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit)
        .data(Notifications::settings(kit))
        .finish()
}

/// The notifications subgraph; its workers are the event consumer and the
/// delivery loop.
pub struct Notifications;

impl Subgraph for Notifications {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = SubscriptionRoot;
    type Config = config::NotificationsConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> NotificationsSchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(domain::data::NotificationsData))
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<tokio::task::JoinHandle<()>> {
        let member = format!("notifications-{}", uuid::Uuid::new_v4());
        vec![tokio::spawn(run_workers(kit.clone(), member, shutdown))]
    }
}

/// Consumes domain events from the bus (consumer group `notifications`,
/// member `member`) and the delivery worker, until `shutdown` resolves.
/// An event is acknowledged only after its notifications committed; a
/// failed event is retried, and parked in `dead_events` if it keeps
/// failing (never skipped unrecorded).
pub async fn run_workers(
    kit: Kit,
    member: String,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let wake = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let config = Notifications::settings(&kit);
    let worker =
        tokio::spawn(domain::delivery::run(kit.clone(), config, wake.clone(), wait(stop_rx.clone())));
    subgraph_kit::bus::consumer::run(&kit, domain::inbox::CONSUMER, &member, shutdown, |event| {
        let (db, wake) = (kit.db.clone(), wake.clone());
        async move {
            if domain::inbox::handle(&db, &event).await? > 0 {
                wake.notify_one();
            }
            Ok(())
        }
    })
    .await;
    let _ = stop_tx.send(true);
    let _ = worker.await;
}

async fn wait(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
