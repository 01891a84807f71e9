//! The runtime every Backbone subgraph shares.
//!
//! A subgraph crate holds its schema and domain rules; everything else —
//! configuration, the database, who is calling, what they may do, the audit
//! log, the outbox and the event bus, and the HTTP server around the schema —
//! comes from here, so every subgraph behaves the same at its edges.

pub mod admission;
pub mod audit;
pub mod auth;
pub mod bus;
mod caller;
pub mod config;
pub mod consumed;
pub mod context;
pub mod contract;
pub mod db;
pub mod error;
pub mod graphql;
pub mod internal;
pub mod isolation;
pub mod llm;
pub mod outbound;
pub mod outbox;
pub mod pagination;
pub mod quota;
pub mod rbac;
pub mod reach;
pub mod recipients;
pub mod revocation;
pub mod serve;
pub mod state;
pub mod subgraph;
pub mod tenancy;
pub mod validate;
pub mod ws;

pub use backbone_edge::client_ip;
pub use context::{Auth, Principal, RequestContext};
pub use error::{ApiError, ApiResult};
pub use state::Kit;
#[cfg(feature = "testkit")]
pub mod testkit;
