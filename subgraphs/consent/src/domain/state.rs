//! What resolvers and workers share besides the kit: the receipt key and
//! the client for the data services' internal endpoints.

use std::time::Duration;

use subgraph_kit::{Kit, internal::InternalClient};

use super::receipts::ReceiptKey;
use crate::config::ConsentConfig;

/// What resolvers share besides the kit: the receipt key and the client
/// for the other services.
#[derive(Clone)]
pub struct ConsentState {
    /// Signs and verifies receipts.
    pub key: ReceiptKey,
    /// Calls `/internal/*` of the data services.
    pub client: InternalClient,
    /// `[consent]`.
    pub config: ConsentConfig,
}

impl ConsentState {
    /// From the kit and the subgraph's `config`; a malformed receipt key is
    /// a start error.
    pub fn new(kit: &Kit, config: ConsentConfig) -> Result<Self, String> {
        let key = ReceiptKey::from_config(&kit.config, &config)?;
        let client = InternalClient::new((*kit.internal_token).clone(), Duration::from_secs(60));
        Ok(Self { key, client, config })
    }
}
