//! The Backbone federation router: composes subgraphs into a supergraph,
//! plans operations with `hive-router-query-planner` behind our own
//! [`planner`] module, and executes the plans itself.

pub mod compose;
