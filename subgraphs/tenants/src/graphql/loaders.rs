//! Data loaders batching per-user lookups across a list.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use backbone_entities::tenancy::{role, user_role};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use subgraph_kit::{ApiError, Kit};
use uuid::Uuid;

use super::objects::RoleAssignment;

/// Role assignments by `(tenant, user)`: one query for a whole page of users.
pub struct AssignmentLoader {
    db: DatabaseConnection,
}

/// The loaders of this subgraph, shared by every request.
pub fn loaders(kit: &Kit) -> DataLoader<AssignmentLoader> {
    DataLoader::new(AssignmentLoader { db: kit.db.clone() }, tokio::spawn)
}

impl Loader<(Uuid, Uuid)> for AssignmentLoader {
    type Value = Vec<RoleAssignment>;
    type Error = Arc<ApiError>;

    async fn load(&self, keys: &[(Uuid, Uuid)]) -> Result<HashMap<(Uuid, Uuid), Self::Value>, Self::Error> {
        let users: Vec<Uuid> = keys.iter().map(|(_, u)| *u).collect();
        let rows = user_role::Entity::find()
            .filter(user_role::Column::UserId.is_in(users))
            .all(&self.db)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))?;
        let roles: HashMap<Uuid, role::Model> = role::Entity::find()
            .filter(role::Column::Id.is_in(rows.iter().map(|r| r.role_id)))
            .all(&self.db)
            .await
            .map_err(|e| Arc::new(ApiError::from(e)))?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let now = Utc::now();
        let mut out: HashMap<(Uuid, Uuid), Vec<RoleAssignment>> = HashMap::new();
        for row in rows {
            let Some(role) = roles.get(&row.role_id) else { continue };
            // The key's tenant must match the row's: a loader never crosses tenants.
            let key = (row.tenant_id, row.user_id);
            if !keys.contains(&key) {
                continue;
            }
            out.entry(key).or_default().push(RoleAssignment {
                role: role.name.clone(),
                expires_at: row.expires_at,
                active: row.expires_at.is_none_or(|e| e > now),
            });
        }
        for list in out.values_mut() {
            list.sort_by(|a, b| a.role.cmp(&b.role));
        }
        Ok(out)
    }
}
