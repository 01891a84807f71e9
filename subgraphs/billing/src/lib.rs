//! The billing subgraph (docs/design.md §7), built in steps. So far: money
//! in ISO 4217 currencies with their minor units ([`domain::money`]), the
//! charge models that turn a quantity into an amount with the tiers it
//! went through ([`domain::charges`]), and the operator's catalogue of
//! billable metrics and versioned plans ([`domain::catalogue`]).
//! Metering, subscriptions, invoices and entitlements come next (issue 16).

pub mod domain;
mod graphql;
pub mod permissions;

use async_graphql::{EmptySubscription, Schema};
use subgraph_kit::{Kit, config::NoSettings, subgraph::Subgraph};

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
    type Config = NoSettings;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;

    fn schema(&self, kit: &Kit) -> BillingSchema {
        subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, EmptySubscription), kit)
            .finish()
    }
}
