//! Integration tests of the subgraph runtime: JWKS verification against a
//! real JWKS server, the outbox relay, the audit chain under concurrency,
//! and the HTTP edges.

mod audit_chain;
mod edges;
mod jwks;
mod outbox;
mod redis_bus;
