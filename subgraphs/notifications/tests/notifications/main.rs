//! Integration tests of the notifications subgraph.
