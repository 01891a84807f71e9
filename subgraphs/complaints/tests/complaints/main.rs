//! Integration tests of the complaints subgraph, served on a random port
//! and spoken to over HTTP (and, for the SLA engine, through its domain
//! functions with a chosen clock).

mod from_devices;
mod intake;
mod isolation;
mod lifecycle;
mod routing;
mod sla;
mod subscriptions;
mod support;
