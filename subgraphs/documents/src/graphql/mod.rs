//! The GraphQL layer: roots, objects and inputs. Resolvers check
//! permissions, call the domain and convert rows to API types.

pub mod entities;
pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod prescriptions;
pub mod query;
pub mod signing;
pub mod subscription;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

pub use subscription::SubscriptionRoot;

use backbone_entities::documents::document;
use subgraph_kit::{ApiError, ApiResult, graphql::Allowed, rbac::Scope, tenancy::Ref};

use crate::domain::{Services, documents};

/// The documents services from the schema data.
pub(crate) fn services<'a>(ctx: &'a async_graphql::Context<'_>) -> ApiResult<&'a Services> {
    ctx.data::<Services>()
        .map_err(|_| ApiError::Internal("documents services missing from schema data".into()))
}

/// The document `id` names, if the allowed caller may reach it (NOT_FOUND
/// otherwise, so existence never leaks).
pub(crate) async fn reachable(
    a: &Allowed<'_>,
    field: &str,
    id: &async_graphql::ID,
) -> ApiResult<Ref<document::Entity>> {
    let doc = Ref::<document::Entity>::parse(&a.kit.db, a.caller.tenant_id, field, id).await?;
    if a.scope >= Scope::Team || documents::is_own(&a.kit.db, doc.row(), a.caller.user_id).await? {
        Ok(doc)
    } else {
        Err(ApiError::NotFound("no document with that id in this tenant".into()))
    }
}
