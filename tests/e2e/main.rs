//! End-to-end tests of the `backbone` command and the dev graph: the
//! process as a user starts it.

mod architecture;
mod billing;
mod cli;
mod deploy;
mod dev_graph;
pub(crate) mod documents;
mod limits;
mod metrics;
mod pagination;
mod playground;
mod privacy;
mod realtime;
mod rest;
mod sync;
mod topology;
mod traces;
