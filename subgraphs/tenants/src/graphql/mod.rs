//! The GraphQL layer: roots, objects, inputs and data loaders. Resolvers
//! check permissions, call the domain and convert rows to API types.

pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

use async_graphql::{Context, ID};
use subgraph_kit::{ApiError, ApiResult, Kit, RequestContext, context::AuthExt, rbac::Scope, validate};
use uuid::Uuid;

/// The caller, the runtime, and the scope of the permission they were
/// checked for.
pub(crate) struct Allowed<'a> {
    pub caller: &'a RequestContext,
    pub kit: &'a Kit,
    pub scope: Scope,
}

/// Authenticates and checks `resource:action` in one step.
pub(crate) async fn allow<'a>(ctx: &'a Context<'_>, resource: &str, action: &str) -> ApiResult<Allowed<'a>> {
    let caller = ctx.caller()?;
    let kit = kit(ctx)?;
    let scope = kit.rbac.require(caller, resource, action).await?;
    Ok(Allowed { caller, kit, scope })
}

pub(crate) fn kit<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Kit> {
    ctx.data::<Kit>().map_err(|_| ApiError::Internal("kit missing from schema data".into()))
}

/// Parses a GraphQL `ID` holding a UUID.
pub(crate) fn uuid(field: &str, id: &ID) -> ApiResult<Uuid> {
    validate::id(field, id.as_str())
}
