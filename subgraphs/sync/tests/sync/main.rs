//! Integration tests of the sync subgraph, served on a random port and
//! spoken to over HTTP: batches from enrolled devices, their acks, the
//! quarantine, last-writer-wins records, pulled changes and tenant
//! isolation.

mod acks;
mod changes;
mod erasure;
mod quarantine;
mod records;
mod support;
mod tenancy;
