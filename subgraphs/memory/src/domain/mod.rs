//! Memory rules as plain functions over a database connection.

pub mod data;
pub mod embed;
pub mod pgvector;
pub mod recall;
pub mod rows;
pub mod snapshot;
pub mod state;
pub mod store;
