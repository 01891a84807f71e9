//! The configuration sections the router reads: its own (`router`, with
//! its rate limits and subgraphs), `auth` (how tokens are verified, shared
//! with every subgraph) and `realtime` (WebSocket limits and keepalives,
//! shared too). They live here, not in the router or the kit, because one
//! `backbone.toml` is parsed into one typed struct with unknown keys
//! refused: the kit's `Config` holds these sections, and a partner running
//! the router alone builds them without any subgraph code.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

/// The federation router.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouterConfig {
    /// An Apollo supergraph SDL file; when absent the router composes one
    /// from `subgraphs`.
    pub supergraph_path: Option<PathBuf>,
    /// Subgraphs to compose from.
    pub subgraphs: Vec<SubgraphConfig>,
    /// Seconds between checks for a changed supergraph file or subgraph
    /// SDL; 0 disables hot reload.
    pub poll_interval_seconds: u64,
    /// Longest wait for one subgraph request, in milliseconds.
    pub subgraph_timeout_ms: u64,
    /// Plans kept in the LRU plan cache.
    pub plan_cache_size: usize,
    /// Answer `__schema` / `__type`. Unset: on in dev mode (`backbone`),
    /// off for `backbone router` (production).
    pub introspection: Option<bool>,
    /// Serve the GraphiQL playground at `/`. Unset: on in dev mode, off for
    /// `backbone router` (production).
    pub playground: Option<bool>,
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Most aliases in one operation.
    pub max_aliases: usize,
    /// Most root fields in one operation.
    pub max_root_fields: usize,
    /// Most fields in one operation with every fragment expanded: the
    /// operation's cost, refused before validation and planning.
    pub max_fields: usize,
    /// Most lexical tokens in one operation.
    pub max_tokens: usize,
    /// Largest request body, in bytes (413 above). Kept below the
    /// subgraphs' `http.body_limit_bytes`, so whatever the router accepts a
    /// subgraph accepts too.
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS; empty allows none, `*` allows any.
    pub cors_allow_origins: Vec<String>,
    /// Load balancers whose `X-Forwarded-For` the router believes
    /// (addresses or CIDR ranges); empty: none, the peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Request rates at the edge.
    pub rate_limits: RateLimitConfig,
    /// Where the router exchanges an `X-Api-Key` for a short-lived token
    /// (the tenants subgraph's `POST /auth/api-key`); unset forwards the
    /// key unchanged.
    pub api_key_exchange_url: Option<String>,
    /// The REST layer over stored operations (`/v1/...`).
    pub rest: RestConfig,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            supergraph_path: None,
            subgraphs: Vec::new(),
            poll_interval_seconds: 10,
            subgraph_timeout_ms: 10_000,
            plan_cache_size: 1024,
            introspection: None,
            playground: None,
            max_depth: 32,
            max_aliases: 100,
            max_root_fields: 32,
            max_fields: 2_000,
            max_tokens: 15_000,
            body_limit_bytes: 1024 * 1024,
            cors_allow_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            rate_limits: RateLimitConfig::default(),
            api_key_exchange_url: None,
            rest: RestConfig::default(),
        }
    }
}

/// OpenTelemetry traces ([`crate::traces`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TracingConfig {
    /// Base URL of an OTLP/HTTP receiver (`http://collector:4318`; traces go
    /// to its `/v1/traces`). Unset: no traces.
    pub otlp_endpoint: Option<String>,
    /// Share of requests traced, 0 to 1. A subgraph follows its caller's
    /// decision.
    pub sampling_ratio: f64,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self { otlp_endpoint: None, sampling_ratio: 0.01 }
    }
}

/// The REST layer: routes mapped to stored GraphQL operations, run
/// through the same pipeline as `/graphql`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestConfig {
    /// Serve `/v1/...`, `/v1/openapi.json` and the reference page.
    pub enabled: bool,
    /// A folder with a `routes.toml` and its `*.graphql` operations, used
    /// instead of the built-in table (a partner's graph has other fields).
    pub routes_dir: Option<PathBuf>,
    /// How long an `Idempotency-Key`'s first answer is kept, in seconds.
    pub idempotency_ttl_seconds: u64,
}

impl Default for RestConfig {
    fn default() -> Self {
        Self { enabled: true, routes_dir: None, idempotency_ttl_seconds: 24 * 3600 }
    }
}

/// Request rates the router allows, each a bucket refilled evenly over
/// its period with the whole rate as burst; 0 turns one off. Over a limit:
/// `RATE_LIMITED`, HTTP 429 and `Retry-After`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests without credentials per client address per minute (public
    /// complaint intake, tracking-code lookups).
    pub anonymous_per_minute: u32,
    /// Refused credentials (tokens, API keys) per client address per
    /// minute; past it the address is cut off until the bucket refills,
    /// before any credential is checked.
    pub failed_auth_per_minute: u32,
    /// Requests per tenant per second (users and API keys together).
    pub tenant_per_second: u32,
    /// Requests per user or API key per second.
    pub principal_per_second: u32,
    /// With `redis_url` set, the buckets live in that Redis under this key
    /// prefix and every router using both shares them.
    pub redis_prefix: String,
}

impl RateLimitConfig {
    /// No limits: for benchmarks, whose load comes from one address.
    pub fn off() -> Self {
        Self {
            anonymous_per_minute: 0,
            failed_auth_per_minute: 0,
            tenant_per_second: 0,
            principal_per_second: 0,
            ..Self::default()
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            anonymous_per_minute: 300,
            failed_auth_per_minute: 30,
            tenant_per_second: 1_000,
            principal_per_second: 100,
            redis_prefix: "backbone:rate".into(),
        }
    }
}

/// One subgraph the router composes and calls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphConfig {
    /// Name in the supergraph.
    pub name: String,
    /// GraphQL endpoint.
    pub url: String,
    /// SDL file; when absent the SDL is read live from `_service { sdl }`.
    pub sdl_path: Option<PathBuf>,
}

/// How tokens are verified (docs/design.md §4).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Expected `iss` claim.
    pub issuer: String,
    /// Expected `aud` claim.
    pub audience: String,
    /// HS256 shared secret (dev). At least 32 bytes.
    pub hs256_secret: Option<SecretString>,
    /// JWKS URL for RS256/ES256 keys (production).
    pub jwks_url: Option<String>,
    /// Seconds a fetched JWKS is trusted before it is fetched again.
    pub jwks_cache_seconds: u64,
    /// Least seconds between two JWKS fetches triggered by unknown key ids,
    /// so tokens with made-up kids cannot hammer the issuer.
    pub jwks_min_refetch_seconds: u64,
    /// Clock skew tolerated on `exp`, in seconds.
    pub leeway_seconds: u64,
}

/// The HS256 secret dev mode uses when none is configured. Never accepted
/// outside dev: [`AuthConfig::validate`] is called by production entry points.
pub const DEV_HS256_SECRET: &str = "backbone-dev-secret-change-me-0123456789abcdef";

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: "backbone".into(),
            audience: "backbone-api".into(),
            hs256_secret: None,
            jwks_url: None,
            jwks_cache_seconds: 300,
            jwks_min_refetch_seconds: 10,
            leeway_seconds: 30,
        }
    }
}

/// Real time: WebSocket subscriptions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeConfig {
    /// Seconds between keepalive pings on an idle WebSocket.
    pub keepalive_seconds: u64,
    /// Seconds between re-checks of an open subscription's caller when no
    /// event arrives (expiry, deactivation, revoked permissions); every
    /// event is checked too.
    pub recheck_seconds: u64,
    /// Most subscriptions one WebSocket connection may hold (router).
    pub max_subscriptions_per_connection: usize,
    /// Most subscriptions one tenant may hold at once on one router.
    pub max_subscriptions_per_tenant: usize,
    /// Seconds a client has to send `connection_init` (router).
    pub connection_init_timeout_seconds: u64,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            keepalive_seconds: 15,
            recheck_seconds: 10,
            max_subscriptions_per_connection: 100,
            max_subscriptions_per_tenant: 20_000,
            connection_init_timeout_seconds: 10,
        }
    }
}
