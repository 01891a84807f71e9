//! Consent rules as plain functions over a database connection.

pub mod data;
pub mod dsar;
pub mod receipts;
pub mod records;
pub mod retention;
pub mod scopes;
pub mod state;
