//! The billing domain as plain functions: no database yet.

pub mod charges;
pub mod money;
