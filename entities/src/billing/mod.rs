//! Billing: the operator's catalogue of billable metrics and versioned
//! plans with their charges.

pub mod metric;
pub mod plan;
pub mod plan_charge;
