//! What recall and remember share across requests: the embedder, the
//! per-person vector cache, the consent client and the pgvector switch.

use std::{sync::Arc, time::Duration};

use subgraph_kit::{Kit, internal::InternalClient};

use crate::config::MemoryConfig;

use super::{
    embed::Embedder,
    pgvector::PgVector,
    snapshot::{self, Cache},
};

/// Shared by resolvers: the embedder, the vector cache, the consent client.
#[derive(Clone)]
pub struct MemoryState {
    /// Embeds memories and queries.
    pub embedder: Embedder,
    /// Users' vectors.
    pub cache: Cache,
    /// Asks the consent service.
    pub consent: InternalClient,
    /// pgvector, when the database has it.
    pub pgvector: Arc<PgVector>,
    /// `[memory]`.
    pub config: MemoryConfig,
}

impl MemoryState {
    /// From the platform's `[llm]` and the subgraph's `config`.
    pub fn new(kit: &Kit, config: MemoryConfig) -> Self {
        Self {
            embedder: Embedder::from_config(&kit.config.llm),
            cache: snapshot::cache(config.cache_users),
            config,
            consent: InternalClient::new((*kit.internal_token).clone(), Duration::from_secs(5)),
            pgvector: Arc::default(),
        }
    }
}
