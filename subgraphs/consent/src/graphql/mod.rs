//! The consent schema: roots, objects and inputs. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

use async_graphql::{Context, ID};
use subgraph_kit::{
    ApiError, ApiResult,
    graphql::{Allowed, uuid},
    rbac::Scope,
    tenancy::Ref,
};
use uuid::Uuid;

use crate::domain::state::ConsentState;

/// The person a request is about: the caller unless another is named, which
/// needs a tenant-wide grant and a user of the caller's tenant (another
/// tenant's person is `NOT_FOUND`).
pub(crate) async fn subject(a: &Allowed<'_>, id: &ID) -> ApiResult<Uuid> {
    let user = uuid("userId", id)?;
    if user == a.caller.user_id {
        return Ok(user);
    }
    if a.scope == Scope::Own {
        return Err(ApiError::Forbidden("you may act only on your own consents".into()));
    }
    Ok(Ref::<backbone_entities::tenancy::user::Entity>::find(&a.kit.db, a.caller.tenant_id, user).await?.id())
}

/// The named person, or the caller when none is named.
pub(crate) async fn subject_or_self(a: &Allowed<'_>, id: Option<&ID>) -> ApiResult<Uuid> {
    match id {
        Some(id) => subject(a, id).await,
        None => Ok(a.caller.user_id),
    }
}

/// The state the schema was built with.
pub(crate) fn state<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a ConsentState> {
    ctx.data::<ConsentState>().map_err(|_| ApiError::Internal("consent state missing".into()))
}
