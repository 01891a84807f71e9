//! Integration tests of the documents subgraph, served on a random port
//! and spoken to over HTTP, with its files on the local file system or on
//! a real S3-compatible server.

mod erasure;
mod errors;
mod generation;
mod links;
mod prescriptions;
mod signing;
mod storage;
mod support;
