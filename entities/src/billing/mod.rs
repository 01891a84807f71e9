//! Billing: the operator's catalogue of billable metrics and versioned
//! plans with their charges; each customer tenant's metered usage and
//! subscriptions.

pub mod metric;
pub mod phase;
pub mod plan;
pub mod plan_charge;
pub mod subscription;
pub mod usage;
