//! The GraphQL layer: roots, objects, inputs and data loaders. Resolvers
//! check permissions, call the domain and convert rows to API types.

pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::MutationRoot;
pub use query::QueryRoot;

pub(crate) use subgraph_kit::graphql::{allow, kit, uuid};
