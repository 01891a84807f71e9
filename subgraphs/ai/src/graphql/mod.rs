//! The AI schema: roots, objects and inputs. Resolvers check permissions,
//! call the domain and convert rows to API types.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;
pub mod subscription;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use std::collections::BTreeMap;

use async_graphql::Context;
use subgraph_kit::{ApiError, ApiResult};

use crate::domain::gateway::Gateway;
use inputs::VariableValue;

/// The gateway the schema was built with.
pub(crate) fn gateway_of<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a Gateway> {
    ctx.data::<Gateway>().map_err(|_| ApiError::Internal("gateway missing".into()))
}

/// Template variables by name; a name given twice is refused.
pub(crate) fn values(variables: Vec<VariableValue>) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for v in variables {
        if out.insert(v.name.clone(), v.value).is_some() {
            return Err(ApiError::bad_input("variables", format!("{} is given twice", v.name)));
        }
    }
    Ok(out)
}
