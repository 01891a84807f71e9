//! Integration tests of the consent subgraph alone: its rules over a real
//! database, and its internal endpoints over HTTP.

mod internal;
mod isolation;
