//! Typed, layered configuration: defaults < `backbone.toml` < environment.
//!
//! Environment variables are `BACKBONE_` followed by the key path, with `__`
//! between levels (`BACKBONE_AUTH__HS256_SECRET`). `DATABASE_URL` and
//! `REDIS_URL` are also read, below their `BACKBONE_` forms, because every
//! hosting platform sets them. Unknown keys are an error, so a typo never
//! silently falls back to a default. Secrets are [`SecretString`]s, whose
//! `Debug` prints `[REDACTED]`; any key may instead come from a file named
//! by `BACKBONE_<KEY>_FILE` (mounted secrets).

mod environment;
mod llm;
mod sections;

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Format, Toml},
};
use secrecy::SecretString;
use serde::Deserialize;

pub use backbone_edge::config::{
    AuthConfig, DEV_HS256_SECRET, RateLimitConfig, RealtimeConfig, RouterConfig, SubgraphConfig,
    TracingConfig,
};
pub use llm::{LlmConfig, Needs, ServicesConfig};
pub use sections::{NoSettings, Section, Sections};

/// Errors while loading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key is unknown, a value has the wrong type, or the file is not TOML.
    /// Shown once, each key as the user wrote it (not a source: the
    /// message already says everything figment knows).
    #[error("configuration: {}", describe(.0))]
    Invalid(Box<figment::Error>),
    /// A value is well-typed but unusable.
    #[error("configuration: {0}")]
    Rule(String),
}

impl From<Box<figment::Error>> for ConfigError {
    fn from(error: Box<figment::Error>) -> Self {
        Self::Invalid(error)
    }
}

/// Each of figment's errors with its key as written where it came from:
/// `BACKBONE_HTTP__PROT` for the environment, `http.prot in backbone.toml`
/// for a file.
fn describe(error: &figment::Error) -> String {
    (*error)
        .clone()
        .into_iter()
        .map(|e| {
            let dotted = e.path.join(".");
            let name = e.metadata.as_ref().map(|m| m.name.to_string()).unwrap_or_default();
            let file = e.metadata.as_ref().and_then(|m| match &m.source {
                Some(figment::Source::File(path)) => Some(path.display().to_string()),
                _ => None,
            });
            let at = if e.path.is_empty() {
                file.unwrap_or(name)
            } else if name.contains("environment") {
                let key = e.path.iter().map(|p| p.to_uppercase()).collect::<Vec<_>>().join("__");
                if name.contains("BACKBONE_") { format!("BACKBONE_{key}") } else { key }
            } else if let Some(file) = file {
                format!("{dotted} in {file}")
            } else {
                dotted
            };
            format!("{at}: {}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the router may add to a request it forwards to a subgraph (the
/// rewritten query, `__typename`s and keys), on top of the client's body.
pub const ROUTER_OVERHEAD_BYTES: usize = 64 * 1024;

/// Everything a Backbone process reads at start: the platform's settings,
/// and each subgraph's own table in [`Config::sections`].
///
/// Unknown keys inside a table are refused here; an unknown top-level key
/// lands in `sections` and is refused by [`Sections::check_known`] against
/// the deployment's subgraphs (`backbone::load_config`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Database URL: `sqlite://data/backbone.db?mode=rwc` (default) or
    /// `postgres://user@host/db`.
    pub database_url: String,
    /// Redis URL; when set, the event bus runs over Redis Streams so every
    /// replica sees every event.
    pub redis_url: Option<String>,
    /// The Redis Stream carrying events (one per deployment).
    pub redis_stream: String,
    /// How long an event may sit with a consumer that took it and has not
    /// acknowledged it (its process died) before a live consumer of the
    /// same group claims it, in milliseconds.
    pub redis_claim_idle_ms: u64,
    /// NATS URL; when set, the event bus runs over NATS JetStream instead
    /// of Redis (a `redis_url` beside it still holds the router's rate
    /// limits and idempotency keys).
    pub nats_url: Option<String>,
    /// The JetStream stream carrying events; its subject is
    /// `<nats_stream>.events`.
    pub nats_stream: String,
    /// How long NATS waits for a consumer's acknowledgement before handing
    /// the event to another member of its group, in milliseconds.
    pub nats_ack_wait_ms: u64,
    /// Run pending migrations when a process starts.
    pub migrate_on_start: bool,
    /// Token verification.
    pub auth: AuthConfig,
    /// HTTP serving.
    pub http: HttpConfig,
    /// Outbox relay.
    pub outbox: OutboxConfig,
    /// The federation router.
    pub router: RouterConfig,
    /// Real time: WebSocket subscriptions in subgraphs and the router.
    pub realtime: RealtimeConfig,
    /// Calls between services.
    pub services: ServicesConfig,
    /// Calls to URLs tenants set (webhooks): which internal hosts they may
    /// reach anyway.
    pub outbound: crate::outbound::OutboundConfig,
    /// Signed checkpoints of the audit chains.
    pub audit: AuditConfig,
    /// The LLM provider (any OpenAI-compatible endpoint).
    pub llm: LlmConfig,
    /// OpenTelemetry traces over OTLP.
    pub tracing: TracingConfig,
    /// The subgraphs' own tables, by subgraph name.
    #[serde(flatten)]
    pub sections: Sections,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/backbone.db?mode=rwc".into(),
            redis_url: None,
            redis_stream: "backbone:events".into(),
            redis_claim_idle_ms: 30_000,
            nats_url: None,
            nats_stream: "backbone-events".into(),
            nats_ack_wait_ms: 30_000,
            migrate_on_start: true,
            auth: AuthConfig::default(),
            http: HttpConfig::default(),
            outbox: OutboxConfig::default(),
            router: RouterConfig::default(),
            realtime: RealtimeConfig::default(),
            services: ServicesConfig::default(),
            outbound: crate::outbound::OutboundConfig::default(),
            audit: AuditConfig::default(),
            llm: LlmConfig::default(),
            tracing: TracingConfig::default(),
            sections: Sections::default(),
        }
    }
}

/// Signed checkpoints of every tenant's audit chain head
/// ([`crate::audit::Anchor`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// The HMAC key; keep it out of the database and its backups. Unset:
    /// derived from `auth.hs256_secret`; with neither, no checkpoints.
    pub anchor_key: Option<SecretString>,
    /// Seconds between checkpoints: tampering with events newer than the
    /// last checkpoint is caught at the next one.
    pub checkpoint_seconds: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self { anchor_key: None, checkpoint_seconds: 60 }
    }
}

/// HTTP serving.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Interface to bind.
    pub host: String,
    /// Port of the first service; in dev mode each subgraph takes the next
    /// port after the router's.
    pub port: u16,
    /// Largest request body accepted, in bytes; larger bodies get 413. At
    /// least the router's limit plus [`ROUTER_OVERHEAD_BYTES`].
    pub body_limit_bytes: usize,
    /// Deepest query accepted.
    pub max_depth: usize,
    /// Highest query complexity accepted (async-graphql: a field costs 1),
    /// and the most fields once fragments are expanded, checked before
    /// validation.
    pub max_complexity: usize,
    /// Peers whose `X-Forwarded-For` a subgraph believes: the router's
    /// network. Default: loopback and private ranges (subgraphs are not
    /// published; only the router reaches them).
    pub trusted_proxies: Vec<String>,
    /// Serve Prometheus `/metrics` on this port of `host` (0: any free
    /// port); unset: no metrics endpoint. Never the public port.
    pub metrics_port: Option<u16>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 4000,
            body_limit_bytes: 2 * 1024 * 1024,
            max_depth: 16,
            max_complexity: 2000,
            metrics_port: None,
            trusted_proxies: [
                "127.0.0.0/8",
                "::1/128",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "fc00::/7",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// Outbox relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// Milliseconds between polls when the outbox was empty.
    pub poll_interval_ms: u64,
    /// Rows the relay claims and publishes a pass: 1,000 by default,
    /// which drained a busy outbox about a fifth faster than 256 in
    /// `bench-sync` (docs/benchmarks.md).
    pub batch_size: u64,
    /// Seconds a published event stays in the outbox (to inspect or
    /// replay by hand) before the relay deletes it: a day by default.
    /// Events not yet published are never deleted.
    pub retain_published_seconds: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self { poll_interval_ms: 100, batch_size: 1000, retain_published_seconds: 86_400 }
    }
}

impl Config {
    /// Loads defaults, then `path` (or `./backbone.toml` if it exists), then
    /// the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let file: PathBuf = path.map_or_else(|| PathBuf::from("backbone.toml"), Path::to_path_buf);
        if path.is_some() && !file.exists() {
            return Err(ConfigError::Rule(format!("file {} does not exist", file.display())));
        }
        Self::from_figment(
            Figment::new().merge(Toml::file(file)).merge(environment::layer(std::env::vars())?),
        )
    }

    /// Loads defaults, then the variables `vars` as if they were the
    /// environment (what a deployment file sets, checked without starting
    /// anything).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        Self::from_figment(environment::layer(vars)?)
    }

    /// Extracts and validates a config from any figment (used by tests).
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Those of `needs` this configuration leaves unset.
    pub fn missing(&self, needs: &[Needs]) -> Vec<Needs> {
        let blank = |v: Option<&str>| v.is_none_or(|u| u.trim().is_empty());
        needs
            .iter()
            .copied()
            .filter(|n| match n {
                Needs::Consent => blank(self.services.consent_url.as_deref()),
                Needs::DataServices => self
                    .sections
                    .raw("consent")
                    .and_then(|c| c.get("data_services"))
                    .and_then(|d| d.as_array())
                    .is_none_or(Vec::is_empty),
            })
            .collect()
    }

    /// Checks rules types cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        use secrecy::ExposeSecret;
        if let Some(secret) = &self.auth.hs256_secret
            && secret.expose_secret().len() < 32
        {
            return Err(ConfigError::Rule("auth.hs256_secret must be at least 32 bytes".into()));
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres")) {
            return Err(ConfigError::Rule(
                "database_url must start with sqlite: or postgres:// (value not shown)".into(),
            ));
        }
        if self.nats_stream.is_empty()
            || self
                .nats_stream
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '.' | '*' | '>' | '/' | '\\'))
        {
            return Err(ConfigError::Rule(
                "nats_stream must be a JetStream name: no spaces, '.', '*', '>', '/' or '\\'".into(),
            ));
        }
        for list in [&self.router.trusted_proxies, &self.http.trusted_proxies] {
            backbone_edge::client_ip::TrustedProxies::parse(list).map_err(ConfigError::Rule)?;
        }
        if self.http.body_limit_bytes < self.router.body_limit_bytes.saturating_add(ROUTER_OVERHEAD_BYTES) {
            return Err(ConfigError::Rule(format!(
                "http.body_limit_bytes must be at least router.body_limit_bytes + {ROUTER_OVERHEAD_BYTES}: \
                 a request the router accepts must not be refused by a subgraph"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    #[test]
    fn layers_file_under_env_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("backbone.toml");
        std::fs::write(&file, "database_url = \"postgres://x@y/z\"\n[http]\nport = 5000\n").expect("write");
        let config = Config::from_figment(
            Figment::new().merge(Toml::file(&file)).merge(Serialized::default("http.port", 6000)),
        )
        .expect("load");
        assert_eq!(config.database_url, "postgres://x@y/z");
        assert_eq!(config.http.port, 6000);
        assert_eq!(config.http.host, "127.0.0.1");

        std::fs::write(&file, "[http]\nprot = 5000\n").expect("write");
        let err =
            Config::from_figment(Figment::new().merge(Toml::file(&file))).expect_err("unknown key must fail");
        assert!(err.to_string().contains("prot"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let config =
            Config::from_figment(Figment::new().merge(Serialized::default(
                "auth.hs256_secret",
                "a-very-secret-value-that-is-long-enough-1234",
            )))
            .expect("load");
        let shown = format!("{config:?}");
        assert!(!shown.contains("a-very-secret-value"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }

    #[test]
    fn short_secret_is_refused() {
        let err =
            Config::from_figment(Figment::new().merge(Serialized::default("auth.hs256_secret", "short")))
                .expect_err("short secret");
        assert!(err.to_string().contains("32 bytes"));
    }

    #[test]
    fn a_subgraph_body_limit_below_the_routers_is_refused() {
        let below = Figment::new()
            .merge(Serialized::default("router.body_limit_bytes", 1_048_576))
            .merge(Serialized::default("http.body_limit_bytes", 1_048_576));
        let err = Config::from_figment(below).expect_err("refused");
        assert!(err.to_string().contains("router.body_limit_bytes"), "{err}");
        assert!(Config::from_figment(Figment::new()).is_ok(), "the defaults agree");
    }
}
