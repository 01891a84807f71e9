//! The GraphQL layer: roots, objects and inputs. Resolvers check who may
//! act, call the domain and convert rows to API types.

mod inputs;
mod mutation;
mod objects;
mod query;
mod subscription;
mod usage;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

use async_graphql::Context;
use rust_decimal::Decimal;
use subgraph_kit::{ApiError, ApiResult, Kit, context::AuthExt};

/// The kit, for a caller who operates the platform (the catalogue is
/// theirs); FORBIDDEN for anyone else.
pub(crate) fn operator<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Kit> {
    if !ctx.caller()?.is_platform_admin() {
        return Err(ApiError::Forbidden("only the platform operator changes the plan catalogue".into()));
    }
    subgraph_kit::graphql::kit(ctx)
}

/// A decimal written as text (`"0.05"`), never a float.
pub(crate) fn decimal(field: &str, text: &str) -> ApiResult<Decimal> {
    if text.len() > 40 {
        return Err(ApiError::bad_input(field, "a number of at most 40 characters"));
    }
    text.trim().parse().map_err(|_| ApiError::bad_input(field, format!("{text:?} is not a decimal number")))
}
