//! Tests of the billing subgraph: worked examples of each charge model and
//! of money in currencies with 0, 2 and 3 decimals, and the plan catalogue
//! over HTTP on a server on a random port, and metering from the bus and
//! the ingestion API.

mod cards;
mod catalogue;
mod charges;
mod credits;
mod dunning;
mod erasure;
mod fixture;
mod invoices;
mod late_usage;
mod metering;
mod money;
mod numbering;
mod proration;
mod subscriptions;
