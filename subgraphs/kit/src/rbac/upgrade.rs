//! Bringing tenants provisioned earlier up to a catalog that grew: a
//! permission no tenant has seen (a subgraph added since, or a new
//! permission of an old one) is written once and granted to every
//! tenant's default roles as the catalog says. Permissions that already
//! exist are left alone, so a grant a tenant admin took away stays away.

use std::collections::HashSet;

use backbone_entities::tenancy::{permission, role, role_permission};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use uuid::Uuid;

use super::catalog::Catalog;

/// Writes the catalog's permissions that are not yet stored and grants
/// them to the default roles of every tenant; returns how many were new.
/// Two processes starting at once: one writes, the other's insert clashes
/// on the unique (resource, action) and it leaves the work to the first.
pub async fn grant_new_permissions(db: &DatabaseConnection, catalog: &Catalog) -> Result<usize, DbErr> {
    let stored: HashSet<(String, String)> =
        permission::Entity::find().all(db).await?.into_iter().map(|p| (p.resource, p.action)).collect();
    let new: Vec<_> = catalog
        .permissions
        .iter()
        .filter(|p| !stored.contains(&(p.resource.to_owned(), p.action.to_owned())))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    for p in &new {
        let id = Uuid::now_v7();
        let inserted = permission::ActiveModel {
            id: Set(id),
            resource: Set(p.resource.to_owned()),
            action: Set(p.action.to_owned()),
            description: Set(p.description.to_owned()),
        }
        .insert(&txn)
        .await;
        if let Err(error) = inserted {
            tracing::info!(%error, "another process is adding the new permissions");
            return Ok(0);
        }
        for g in catalog.grants.iter().filter(|g| (g.resource, g.action) == (p.resource, p.action)) {
            let roles = role::Entity::find().filter(role::Column::Name.eq(g.role)).all(&txn).await?;
            for r in roles {
                role_permission::ActiveModel {
                    role_id: Set(r.id),
                    permission_id: Set(id),
                    scope: Set(g.scope.as_str().to_owned()),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    crate::db::commit(txn).await?;
    tracing::info!(permissions = new.len(), "granted new permissions to existing tenants' default roles");
    Ok(new.len())
}
