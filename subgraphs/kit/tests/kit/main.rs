//! Integration tests of the subgraph runtime: the outbox relay, the audit
//! chain under concurrency, the Redis bus and the HTTP edges.

mod audit_chain;
mod consumer;
mod edges;
mod outbox;
mod redis_bus;
