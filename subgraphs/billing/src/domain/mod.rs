//! The billing domain as plain functions over a database connection.

pub mod catalogue;
pub mod charges;
pub mod data;
pub mod ingest;
pub mod metering;
pub mod money;
pub mod periods;
pub mod renewal;
pub mod subscriptions;
pub mod usage;
