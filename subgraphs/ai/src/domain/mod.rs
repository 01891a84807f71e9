//! The AI gateway's rules as plain functions over a database connection.

pub mod budget;
pub mod data;
pub mod gateway;
pub mod log;
pub mod pii;
pub mod provider;
pub mod safety;
pub mod settings;
pub mod stream;
pub mod templates;
