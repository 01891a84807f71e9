//! The billing domain as plain functions over a database connection.

pub mod catalogue;
pub mod charges;
pub mod collection;
pub mod coupons;
pub mod credit_notes;
pub mod customers;
pub mod data;
pub mod dunning;
pub mod entitlements;
pub mod finalization;
pub mod ingest;
pub mod invoices;
pub mod invoicing;
pub mod late_usage;
pub mod metering;
pub mod money;
pub mod payments;
pub mod periods;
pub mod processor;
pub mod renewal;
pub mod subscriptions;
pub mod usage;
pub mod wallet;
mod writes;
