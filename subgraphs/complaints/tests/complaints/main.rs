//! Integration tests of the complaints subgraph.
