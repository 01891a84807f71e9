//! The sync domain: event types and their schemas, devices, assignments,
//! ingestion of batches, last-writer-wins records, the quarantine and the
//! changes devices pull.
//! Functions take the [`Services`] (or a connection) and the caller's
//! tenant; resolvers hold no queries.

pub mod assignments;
pub mod changes;
pub mod checks;
pub mod data;
pub mod devices;
pub mod event_types;
pub mod ingest;
pub mod quarantine;
pub mod records;
pub mod replay;

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use backbone_schema::ErrorCode;
use sea_orm::DatabaseConnection;
use subgraph_kit::ApiError;
use uuid::Uuid;

use crate::config::SyncConfig;

/// What sync needs besides the database: its settings and the compiled
/// schemas.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database.
    pub db: DatabaseConnection,
    /// `[sync]`.
    pub settings: SyncConfig,
    /// Compiled validators by event type row; rows never change, so an
    /// entry never goes stale.
    pub validators: Validators,
}

impl Services {
    /// The services over `db`.
    pub fn new(db: DatabaseConnection, settings: SyncConfig) -> Self {
        Self { db, settings, validators: Validators::default() }
    }
}

/// Compiled JSON Schemas by event type row id.
#[derive(Clone, Default)]
pub struct Validators(Arc<RwLock<HashMap<Uuid, Arc<jsonschema::Validator>>>>);

impl std::fmt::Debug for Validators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validators")
    }
}

/// The time now, to the microsecond the database keeps, so an ack's
/// server time is the one a later duplicate reads back.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// A `BAD_USER_INPUT` with a stable reason.
pub(crate) fn invalid(reason: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Because { code: ErrorCode::BadUserInput, reason, message: message.into() }
}
