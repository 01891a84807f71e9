//! Backbone: one GraphQL graph for health and education SaaS.
//!
//! This crate is the CLI and the process composition: [`dev`] starts every
//! subgraph built so far in one process; the binary's other commands run a
//! single subgraph, migrate, mint dev tokens and seed demo data.

pub mod bench;
pub mod dev;
pub mod schemas;
pub mod subgraphs;

/// Demo data (lives with the tenants domain).
pub use subgraph_tenants::domain::demo as seed;
pub mod wsclient;

use subgraph_kit::config::{Config, DEV_HS256_SECRET};

/// Dev mode: when no token verification is configured, use the well-known
/// dev secret so `backbone` works with no setup. Production commands refuse
/// to start without a configured secret or JWKS URL instead.
pub fn with_dev_auth(mut config: Config) -> Config {
    if config.auth.hs256_secret.is_none() && config.auth.jwks_url.is_none() {
        config.auth.hs256_secret = Some(DEV_HS256_SECRET.to_owned().into());
    }
    config
}

/// The sections of `config` the router reads.
pub fn router_settings(config: &Config) -> backbone_router::server::RouterSettings {
    backbone_router::server::RouterSettings {
        router: config.router.clone(),
        auth: config.auth.clone(),
        realtime: config.realtime.clone(),
        redis_url: config.redis_url.clone(),
    }
}
