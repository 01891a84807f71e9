//! The GraphQL layer: roots, objects and inputs. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

use subgraph_kit::{ApiError, ApiResult};

use crate::domain::Services;

/// The sync services from the schema data.
pub(crate) fn services<'a>(ctx: &'a async_graphql::Context<'_>) -> ApiResult<&'a Services> {
    ctx.data::<Services>().map_err(|_| ApiError::Internal("sync services missing from schema data".into()))
}
