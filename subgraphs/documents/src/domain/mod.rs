//! The documents domain: templates and their fields, rendering, documents
//! and their immutable versions, and download links. Functions take a
//! database connection (and the [`Services`] where bytes are involved)
//! and the caller's tenant; resolvers hold no queries.

pub mod data;
pub mod documents;
pub mod fields;
pub mod prescriptions;
pub mod rendering;
pub mod sealing;
pub mod signing;
pub mod templates;
pub mod timeline;
pub mod verification;
pub mod versions;

use std::sync::Arc;

use backbone_schema::ErrorCode;
use sea_orm::DatabaseConnection;
use subgraph_kit::ApiError;
use tokio::sync::Semaphore;

use crate::{config::DocumentsConfig, links::Signer, seal::Sealer, store::Store};

/// What working with documents needs besides the database: the object
/// store, the link signer, the settings and the render pool.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database.
    pub db: DatabaseConnection,
    /// Where versions' bytes live.
    pub store: Store,
    /// Signs and checks download links.
    pub links: Signer,
    /// `[documents]`.
    pub settings: DocumentsConfig,
    /// Bounds the renders running at once.
    pub renders: Arc<Semaphore>,
    /// Seals completed documents.
    pub sealer: Sealer,
}

impl Services {
    /// The services `settings` describe over `db`.
    pub fn open(db: DatabaseConnection, settings: DocumentsConfig) -> Self {
        let store = Store::open(&settings.storage).unwrap_or_else(|error| {
            tracing::error!(%error, "[documents.storage] cannot be opened");
            Store::unavailable(error.to_string())
        });
        Self {
            db,
            store,
            links: Signer::new(settings.link_key.as_ref()),
            sealer: Sealer::new(settings.seal_key.as_ref()),
            renders: Arc::new(Semaphore::new(settings.max_concurrent_renders)),
            settings,
        }
    }
}

/// A `BAD_USER_INPUT` with a stable reason.
pub(crate) fn invalid(reason: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Because { code: ErrorCode::BadUserInput, reason, message: message.into() }
}
