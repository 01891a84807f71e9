//! Semantic memory: memories with embeddings, and a change counter per user.

pub mod entry;
pub mod generation;
