//! Router integration tests: the test subgraphs started on random ports,
//! composed by our composer, served by the router, queried over HTTP.

mod execution;
mod federation;
mod limits;
mod reload;
mod standalone;
mod subscriptions;
mod testkit;
