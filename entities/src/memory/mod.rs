//! Semantic memory: memories with embeddings, and a change counter per user.

pub mod generation;
pub mod memory;
