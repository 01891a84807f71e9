//! The billing subgraph (docs/design.md §7), built in steps. This first
//! step is the part that must be exact before anything is charged: money
//! in ISO 4217 currencies with their minor units ([`domain::money`]) and
//! the charge models that turn a quantity into an amount with the tiers
//! it went through ([`domain::charges`]). The catalogue, metering,
//! subscriptions, invoices and the served schema come next (issue 16).

pub mod domain;
