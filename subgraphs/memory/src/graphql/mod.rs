//! The memory schema: remember, recall, forget. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

use async_graphql::Context;
use subgraph_kit::{ApiError, ApiResult};

use crate::domain::state::MemoryState;

/// The state the schema was built with.
pub(crate) fn state<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a MemoryState> {
    ctx.data::<MemoryState>().map_err(|_| ApiError::Internal("memory state missing".into()))
}
