//! [`Kit`]: the shared runtime state handed to every subgraph.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::TokenVerifier,
    bus::{EventBus, InProcessBus, NatsBus, RedisBus},
    config::Config,
    db,
    outbox::Relay,
    rbac::{Rbac, catalog::Catalog},
};

/// Failures while starting the runtime.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The database is unreachable or a migration failed.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// The event bus (Redis) is unreachable.
    #[error(transparent)]
    Bus(#[from] crate::bus::BusError),
}

/// Database, verifier, RBAC, bus and config of one process. Cheap to clone.
#[derive(Clone)]
pub struct Kit {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Bearer token verification.
    pub verifier: Arc<TokenVerifier>,
    /// Permission checks.
    pub rbac: Rbac,
    /// Where the relay publishes.
    pub bus: Arc<dyn EventBus>,
    /// The loaded configuration.
    pub config: Arc<Config>,
    /// Shared secret of `/internal/*` calls ([`crate::internal`]).
    pub internal_token: Arc<secrecy::SecretString>,
    /// Signed checkpoints of the audit chains.
    pub audit: Arc<crate::audit::Anchor>,
    /// The permissions of every subgraph of the deployment, which new
    /// tenants' roles get.
    pub catalog: Arc<Catalog>,
}

impl Kit {
    /// Connects (and migrates, if configured), grants permissions new to
    /// the catalog to existing tenants' default roles, and builds the
    /// runtime with the bus `config` asks for.
    pub async fn start(config: Config, catalog: Catalog) -> Result<Self, StartError> {
        config.validate()?;
        let db = if config.migrate_on_start {
            db::connect_and_migrate(&config.database_url).await?
        } else {
            db::connect(&config.database_url).await?
        };
        crate::rbac::upgrade::grant_new_permissions(&db, &catalog).await?;
        let bus = Self::bus_for(&config).await?;
        Ok(Self::from_parts(config, catalog, db, bus))
    }

    /// The bus `config` asks for: NATS JetStream when `nats_url` is set,
    /// else Redis when `redis_url` is, else in process.
    pub async fn bus_for(config: &Config) -> Result<Arc<dyn EventBus>, StartError> {
        use std::time::Duration;
        Ok(match (&config.nats_url, &config.redis_url) {
            (Some(url), _) => Arc::new(
                NatsBus::connect(url, &config.nats_stream, Duration::from_millis(config.nats_ack_wait_ms))
                    .await?,
            ),
            (None, Some(url)) => Arc::new(
                RedisBus::connect(url, &config.redis_stream)
                    .await?
                    .claim_idle_after(Duration::from_millis(config.redis_claim_idle_ms)),
            ),
            (None, None) => Arc::new(InProcessBus::default()),
        })
    }

    /// Builds the runtime from an open database and a bus.
    pub fn from_parts(
        config: Config,
        catalog: Catalog,
        db: DatabaseConnection,
        bus: Arc<dyn EventBus>,
    ) -> Self {
        Self {
            catalog: Arc::new(catalog),
            verifier: Arc::new(TokenVerifier::new(&config.auth)),
            rbac: Rbac::new(db.clone()),
            db,
            bus,
            internal_token: Arc::new(crate::internal::token(config.services.internal_token.as_ref())),
            audit: Arc::new(crate::audit::Anchor::from_config(&config)),
            config: Arc::new(config),
        }
    }

    /// A relay publishing this process's outbox to its bus.
    pub fn relay(&self) -> Relay {
        Relay::new(self.db.clone(), self.bus.clone(), self.config.outbox.clone())
    }
}
