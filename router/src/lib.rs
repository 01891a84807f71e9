//! The Backbone federation router: composes subgraphs into a supergraph,
//! plans operations with `hive-router-query-planner` behind our own
//! [`planner`] module, and executes the plans itself.

pub mod api_keys;
pub mod compose;
pub mod error;
pub mod execute;
pub mod files;
pub mod graph;
pub mod http;
pub mod introspection;
pub mod limits;
mod operation;
pub mod pipeline;
pub mod planner;
pub mod playground;
pub mod project;
pub mod rate;
pub mod reload;
pub mod request;
pub mod rest;
pub mod server;
pub mod subscribe;
mod telemetry;
pub mod variables;
pub mod visible;
