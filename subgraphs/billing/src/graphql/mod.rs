//! The GraphQL layer: roots, objects and inputs. Resolvers check who may
//! act, call the domain and convert rows to API types.

mod credits;
mod inputs;
mod invoices;
mod money;
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

/// The kit, for a caller who operates billing (a platform admin or a
/// billing admin: the catalogue and every tenant's billing are theirs);
/// FORBIDDEN for anyone else.
pub(crate) fn operator<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Kit> {
    if !ctx.caller()?.operates_billing() {
        return Err(ApiError::Forbidden(
            "only the platform's billing operators (platform_admin, billing_admin) do this".into(),
        ));
    }
    subgraph_kit::graphql::kit(ctx)
}

/// The kit and the tenant a caller may read billing rows of: the
/// operator any (`tenant_id`, or every tenant when absent), anyone else
/// with `billing:read` only their own (NOT_FOUND for another's id).
pub(crate) async fn readable<'a>(
    ctx: &'a Context<'_>,
    tenant_id: Option<&async_graphql::ID>,
) -> ApiResult<(&'a Kit, Option<uuid::Uuid>)> {
    let parse = |id: &async_graphql::ID| {
        id.parse::<uuid::Uuid>().map_err(|_| ApiError::NotFound("no such tenant".into()))
    };
    if ctx.caller()?.operates_billing() {
        return Ok((subgraph_kit::graphql::kit(ctx)?, tenant_id.map(parse).transpose()?));
    }
    let a = subgraph_kit::graphql::allow(ctx, "billing", "read").await?;
    match tenant_id.map(parse).transpose()? {
        Some(t) if t != a.caller.tenant_id => Err(ApiError::NotFound("no such tenant".into())),
        _ => Ok((a.kit, Some(a.caller.tenant_id))),
    }
}

/// The card processor, when one is configured (schema data).
#[derive(Clone)]
pub(crate) struct Cards(pub Option<std::sync::Arc<dyn crate::domain::processor::CardProcessor>>);

/// The card processor, or `CONFLICT` (`NO_CARD_PROCESSOR`).
pub(crate) fn cards<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a dyn crate::domain::processor::CardProcessor> {
    ctx.data_opt::<Cards>().and_then(|c| c.0.as_deref()).ok_or_else(|| {
        ApiError::conflict("NO_CARD_PROCESSOR", "no card processor is configured (billing.card.secret_key)")
    })
}

/// The subgraph's settings from the schema data.
pub(crate) fn settings<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a crate::config::BillingConfig> {
    ctx.data::<crate::config::BillingConfig>()
        .map_err(|_| ApiError::Internal("billing settings missing from schema data".into()))
}

/// A decimal written as text (`"0.05"`), never a float.
pub(crate) fn decimal(field: &str, text: &str) -> ApiResult<Decimal> {
    if text.len() > 40 {
        return Err(ApiError::bad_input(field, "a number of at most 40 characters"));
    }
    text.trim().parse().map_err(|_| ApiError::bad_input(field, format!("{text:?} is not a decimal number")))
}
