//! The consent subgraph: hierarchical consent scopes with an append-only
//! history and signed receipts, `hasConsent`, `User.consents`; DSAR carried
//! across every data service; retention rules and the purge (docs/design.md §7).
//!
//! Besides `/graphql` it serves `/internal/consent/check` (the AI and memory
//! subgraphs ask it before touching a person's data), the data contract at
//! `/internal/data/*`, and package downloads at `/dsar/packages/{token}`.

pub mod config;
pub mod domain;
mod graphql;
mod http;
pub mod permissions;
mod workers;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use axum::{
    Router,
    routing::{get, post},
};
use subgraph_kit::{
    Kit,
    contract::DataContract,
    subgraph::{Shutdown, Subgraph},
};

pub use graphql::{MutationRoot, QueryRoot};

use domain::data::ConsentData;
pub use domain::state::ConsentState;
pub use http::{CheckRequest, CheckResponse};
pub use workers::run_workers;

/// The subgraph's name in the supergraph.
pub const NAME: &str = "consent";

/// The consent schema type.
pub type ConsentSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit, state: ConsentState) -> ConsentSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
        .data(state)
        .finish()
}

/// The consent subgraph; its workers run DSAR jobs, the expiry sweep and
/// retention.
pub struct Consent;

impl Subgraph for Consent {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = EmptySubscription;
    type Config = config::ConsentConfig;
    const NAME: &'static str = NAME;
    const NEEDS: &'static [subgraph_kit::config::Needs] = &[subgraph_kit::config::Needs::DataServices];
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    /// Panics on a malformed `consent.receipt_signing_key`, which
    /// [`subgraph_kit::config::Section::validate`] refuses when the
    /// configuration is loaded.
    fn schema(&self, kit: &Kit) -> ConsentSchema {
        let state = ConsentState::new(kit, Self::settings(kit)).unwrap_or_else(|e| panic!("consent: {e}"));
        schema(kit, state)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(ConsentData))
    }

    fn routes(&self, kit: &Kit) -> Router {
        Router::new()
            .route("/internal/consent/check", post(http::check))
            .route("/dsar/packages/{token}", get(http::download))
            .with_state(kit.clone())
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<tokio::task::JoinHandle<()>> {
        match ConsentState::new(kit, Self::settings(kit)) {
            Ok(state) => vec![tokio::spawn(run_workers(kit.clone(), state, shutdown))],
            Err(error) => {
                tracing::error!(%error, "consent workers not started");
                Vec::new()
            }
        }
    }
}
