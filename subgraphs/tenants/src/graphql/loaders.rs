//! Data loaders batching per-user lookups across a list.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;
use subgraph_kit::{ApiError, Kit};
use uuid::Uuid;

use crate::domain::roles::{self, Assignment};

/// Role assignments by `(tenant, user)`: one query for a whole page of users.
pub struct AssignmentLoader {
    db: DatabaseConnection,
}

/// The loaders of this subgraph, shared by every request.
pub fn loaders(kit: &Kit) -> DataLoader<AssignmentLoader> {
    DataLoader::new(AssignmentLoader { db: kit.db.clone() }, subgraph_kit::isolation::spawn)
}

impl Loader<(Uuid, Uuid)> for AssignmentLoader {
    type Value = Vec<Assignment>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[(Uuid, Uuid)]) -> Result<HashMap<(Uuid, Uuid), Self::Value>, Self::Error> {
        roles::assignments(&self.db, keys).await.map_err(Arc::new)
    }
}
