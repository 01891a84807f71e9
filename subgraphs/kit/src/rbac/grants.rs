//! Loading a caller's effective permissions from the database.

use std::collections::HashMap;

use backbone_entities::tenancy::{permission, role, role_permission, tenant, user, user_role};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use super::Scope;
use crate::{
    context::{Principal, RequestContext},
    error::ApiResult,
};

/// What one caller may do.
#[derive(Debug, Default)]
pub struct Grants {
    /// The caller's tenant exists and is active, and so is their user (for
    /// a user token). Without it the token no longer names anyone.
    pub(super) standing: bool,
    by_permission: HashMap<(String, String), Scope>,
    /// The earliest expiry of an assignment these grants rely on.
    valid_until: Option<DateTime<Utc>>,
}

impl Grants {
    /// The widest scope granted for `resource`/`action`.
    pub fn scope_for(&self, resource: &str, action: &str) -> Option<Scope> {
        self.by_permission.get(&(resource.to_owned(), action.to_owned())).copied()
    }

    pub(super) fn is_stale(&self) -> bool {
        self.valid_until.is_some_and(|t| t <= Utc::now())
    }
}

pub(super) async fn load(db: &DatabaseConnection, ctx: &RequestContext) -> ApiResult<Grants> {
    let now = Utc::now();
    let tenant_active = tenant::Entity::find_by_id(ctx.tenant_id).one(db).await?.is_some_and(|t| t.active);
    if !tenant_active {
        return Ok(Grants::default());
    }
    let mut valid_until = None;
    let standing = true;
    let role_ids: Vec<uuid::Uuid> = match ctx.principal {
        Principal::User => {
            let active_user = user::Entity::find_by_id(ctx.user_id)
                .filter(user::Column::TenantId.eq(ctx.tenant_id))
                .one(db)
                .await?
                .is_some_and(|u| u.status != backbone_entities::tenancy::user::UserStatus::Deactivated);
            if !active_user {
                return Ok(Grants::default());
            }
            let assignments = user_role::Entity::find()
                .filter(user_role::Column::UserId.eq(ctx.user_id))
                .filter(user_role::Column::TenantId.eq(ctx.tenant_id))
                .filter(
                    Condition::any()
                        .add(user_role::Column::ExpiresAt.is_null())
                        .add(user_role::Column::ExpiresAt.gt(now)),
                )
                .all(db)
                .await?;
            valid_until = assignments.iter().filter_map(|a| a.expires_at).min();
            assignments.into_iter().map(|a| a.role_id).collect()
        }
        Principal::ApiKey => role::Entity::find()
            .filter(role::Column::TenantId.eq(ctx.tenant_id))
            .filter(role::Column::Name.is_in(ctx.roles.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    };
    if role_ids.is_empty() {
        return Ok(Grants { standing, by_permission: HashMap::new(), valid_until });
    }
    let rows = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.is_in(role_ids))
        .all(db)
        .await?;
    let perms: HashMap<uuid::Uuid, permission::Model> = permission::Entity::find()
        .filter(permission::Column::Id.is_in(rows.iter().map(|r| r.permission_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut by_permission: HashMap<(String, String), Scope> = HashMap::new();
    for rp in rows {
        let (Some(perm), Some(scope)) = (perms.get(&rp.permission_id), Scope::parse(&rp.scope)) else {
            continue;
        };
        // A tenant role never reaches beyond its tenant, whatever is stored.
        let scope = scope.min(Scope::Tenant);
        let entry = by_permission.entry((perm.resource.clone(), perm.action.clone())).or_insert(scope);
        *entry = (*entry).max(scope);
    }
    Ok(Grants { standing, by_permission, valid_until })
}
