//! Router integration tests: the test subgraphs started on random ports,
//! composed by our composer (or by Apollo's, from a checked-in fixture),
//! served by the router, queried over HTTP.

mod composition;
mod differential;
mod execution;
mod federation;
mod fixtures;
mod inaccessible;
mod interface_object;
mod limits;
mod reload;
mod requires_arguments;
mod standalone;
mod subscriptions;
mod testkit;
