//! Integration tests of the subgraph runtime: the outbox relay, the audit
//! chain under concurrency, the in-process and Redis buses, consumers and
//! the HTTP edges, and the row isolation of pooled connections.

mod audit_chain;
mod consumer;
mod edges;
mod in_process_bus;
mod isolation;
mod outbox;
mod quota;
mod redis_bus;
