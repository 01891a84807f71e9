//! The GraphQL layer: roots and objects.

pub mod objects;
pub mod roots;

pub use roots::{MutationRoot, QueryRoot, SubscriptionRoot};
