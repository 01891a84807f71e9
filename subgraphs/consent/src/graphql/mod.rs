//! The consent schema: objects and roots.

pub mod objects;
pub mod roots;

pub use roots::{MutationRoot, QueryRoot};
