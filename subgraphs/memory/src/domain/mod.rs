//! Memory rules as plain functions over a database connection.

pub mod data;
pub mod embed;
pub mod pgvector;
pub mod snapshot;
pub mod store;
