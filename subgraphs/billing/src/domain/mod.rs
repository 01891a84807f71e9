//! The billing domain as plain functions over a database connection.

pub mod catalogue;
pub mod charges;
pub mod money;
