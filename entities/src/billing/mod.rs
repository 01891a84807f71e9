//! Billing: the operator's catalogue of billable metrics and versioned
//! plans with their charges, and tax rates; each customer tenant's
//! metered usage, subscriptions, billing profile, invoices, credit notes,
//! payments, wallet and coupons.

pub mod coupon;
pub mod credit_note;
pub mod customer;
pub mod invoice;
pub mod invoice_line;
pub mod metric;
pub mod payment;
pub mod phase;
pub mod plan;
pub mod plan_charge;
pub mod redemption;
pub mod subscription;
pub mod tax_rate;
pub mod usage;
pub mod wallet_entry;
