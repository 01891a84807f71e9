//! The notifications schema: roots and objects. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod mutation;
pub mod objects;
pub mod query;
pub mod subscription;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use subgraph_kit::{contract::Subject, graphql::Allowed};

/// The caller as the person whose inbox is read.
pub(crate) fn me(a: &Allowed<'_>) -> Subject {
    Subject { tenant_id: a.caller.tenant_id, user_id: a.caller.user_id }
}
