//! Integration tests of the memory domain over a real database: recall
//! quality of the local embedder, and caches that follow changes made by
//! another replica.

mod pgvector;
mod quality;
mod snapshot;
