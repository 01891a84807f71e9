//! The edge of every Backbone service, free of any domain and database:
//! token verification and the JWKS cache, the HTTP client factory, who the
//! client is behind trusted proxies, serving with graceful shutdown and a
//! coded 413, `connection_init` credentials, and the configuration the
//! router reads. The router depends on this crate and not on the subgraph
//! kit, so it runs in front of anyone's Federation v2 subgraphs; the kit
//! re-exports it.

pub mod auth;
pub mod client_ip;
pub mod config;
pub mod connection_init;
pub mod metrics;
pub mod request_id;
pub mod serve;
pub mod traces;
