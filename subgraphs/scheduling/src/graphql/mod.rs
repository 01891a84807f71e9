//! The GraphQL layer: roots, objects and inputs. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;
pub mod series;
pub mod subscription;
pub mod waitlist;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use subgraph_kit::{graphql::Allowed, rbac::Scope};

use crate::{config::SchedulingConfig, domain::Viewer};

/// What the allowed caller may see of appointments.
pub(crate) fn viewer(a: &Allowed<'_>) -> Viewer {
    Viewer { user_id: a.caller.user_id, whole_tenant: a.scope >= Scope::Team }
}

/// The subgraph's settings from the schema data.
pub(crate) fn settings<'a>(
    ctx: &'a async_graphql::Context<'_>,
) -> subgraph_kit::ApiResult<&'a SchedulingConfig> {
    ctx.data::<SchedulingConfig>()
        .map_err(|_| subgraph_kit::ApiError::Internal("scheduling settings missing from schema data".into()))
}
