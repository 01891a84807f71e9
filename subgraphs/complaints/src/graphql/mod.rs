//! The GraphQL layer: roots, objects and inputs. Resolvers check permissions, call
//! the domain and convert rows to API types.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;
pub mod subscription;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use subgraph_kit::graphql::Allowed;
use subgraph_kit::{ApiError, ApiResult};

/// Whether the allowed caller may see `c` (tenant scope, or their own).
pub(crate) fn can_see(allowed: &Allowed<'_>, c: &backbone_entities::complaints::complaint::Model) -> bool {
    c.tenant_id == allowed.caller.tenant_id
        && (allowed.scope >= subgraph_kit::rbac::Scope::Team || c.reporter_id == Some(allowed.caller.user_id))
}

/// NOT_FOUND unless the caller may see `c` (existence never leaks).
pub(crate) fn visible(
    allowed: &Allowed<'_>,
    c: backbone_entities::complaints::complaint::Model,
) -> ApiResult<backbone_entities::complaints::complaint::Model> {
    if can_see(allowed, &c) { Ok(c) } else { Err(ApiError::NotFound("no such complaint".into())) }
}
