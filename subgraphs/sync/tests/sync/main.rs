//! Integration tests of the sync subgraph, served on a random port and
//! spoken to over HTTP: batches from enrolled devices, their acks, the
//! quarantine, last-writer-wins records and tenant isolation.

mod acks;
mod erasure;
mod quarantine;
mod records;
mod support;
mod tenancy;
