//! Roles, their permissions, and assignments to users with optional expiry.

use std::collections::HashMap;

use backbone_entities::tenancy::{permission, role, role_permission, user, user_role};
use backbone_schema::event_types;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use subgraph_kit::{
    ApiError, ApiResult, RequestContext,
    audit::AuditEntry,
    pagination::{Page, Paged},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{record, users};

/// A role with its permissions `(resource, action, scope)`.
#[derive(Debug, Clone)]
pub struct RoleWithPermissions {
    /// The role.
    pub role: role::Model,
    /// Its permissions.
    pub permissions: Vec<(String, String, String)>,
}

/// A page of a tenant's roles with their permissions, by name.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<RoleWithPermissions>> {
    let q = role::Entity::find()
        .filter(role::Column::TenantId.eq(tenant_id))
        .order_by_asc(role::Column::Name)
        .order_by_asc(role::Column::Id);
    let roles = page.fetch_at(db, q).await?;
    let grants = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.is_in(roles.rows.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let perms = permission::Entity::find().all(db).await?;
    Ok(roles.map(|role| {
        let mut permissions: Vec<_> = grants
            .iter()
            .filter(|g| g.role_id == role.id)
            .filter_map(|g| {
                let p = perms.iter().find(|p| p.id == g.permission_id)?;
                Some((p.resource.clone(), p.action.clone(), g.scope.clone()))
            })
            .collect();
        permissions.sort();
        RoleWithPermissions { role, permissions }
    }))
}

/// A role assignment as shown on a user.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Role name.
    pub role: String,
    /// When it stops granting anything.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it grants now.
    pub active: bool,
}

/// The role assignments of each `(tenant, user)` in `keys`, expired ones
/// included (marked inactive), sorted by role: one query for a whole page
/// of users. A row counts only for its own tenant's key, so a batch never
/// crosses tenants.
pub async fn assignments(
    db: &DatabaseConnection,
    keys: &[(Uuid, Uuid)],
) -> ApiResult<HashMap<(Uuid, Uuid), Vec<Assignment>>> {
    let users: Vec<Uuid> = keys.iter().map(|(_, u)| *u).collect();
    let rows = user_role::Entity::find().filter(user_role::Column::UserId.is_in(users)).all(db).await?;
    let roles: HashMap<Uuid, role::Model> = role::Entity::find()
        .filter(role::Column::Id.is_in(rows.iter().map(|r| r.role_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let now = Utc::now();
    let mut out: HashMap<(Uuid, Uuid), Vec<Assignment>> = HashMap::new();
    for row in rows {
        let Some(role) = roles.get(&row.role_id) else { continue };
        let key = (row.tenant_id, row.user_id);
        if !keys.contains(&key) {
            continue;
        }
        out.entry(key).or_default().push(Assignment {
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

/// Assigns `role_name` to a user of the caller's tenant, replacing the
/// expiry of an existing assignment. An expiry in the past is refused.
pub async fn assign(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    who: &Ref<user::Entity>,
    role_name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> ApiResult<()> {
    let user_id = who.id();
    if expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::bad_input("expiresAt", "expiresAt must be in the future"));
    }
    let txn = db.begin().await?;
    let role = user_and_role(&txn, who, role_name).await?;
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::RoleId.eq(role.id))
        .exec(&txn)
        .await?;
    insert_assignment(&txn, ctx, user_id, role.id, expires_at).await?;
    let entry = AuditEntry {
        event_type: event_types::ROLES_CHANGED,
        resource_type: "user",
        resource_id: user_id.to_string(),
        data: serde_json::json!({ "assigned": role.name, "expiresAt": expires_at }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Revokes `role_name` from a user; revoking a role the user lacks is
/// NOT_FOUND, so a typo is visible.
pub async fn revoke(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    who: &Ref<user::Entity>,
    role_name: &str,
) -> ApiResult<()> {
    let user_id = who.id();
    let txn = db.begin().await?;
    let role = user_and_role(&txn, who, role_name).await?;
    let deleted = user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::RoleId.eq(role.id))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiError::NotFound(format!("user does not hold role {role_name:?}")));
    }
    let entry = AuditEntry {
        event_type: event_types::ROLES_CHANGED,
        resource_type: "user",
        resource_id: user_id.to_string(),
        data: serde_json::json!({ "revoked": role.name }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Checks the user still exists in their tenant and returns the named
/// role of that tenant.
async fn user_and_role(
    txn: &DatabaseTransaction,
    who: &Ref<user::Entity>,
    role_name: &str,
) -> ApiResult<role::Model> {
    users::get(txn, who.tenant_id(), who.id()).await?.ok_or_else(users::not_found)?;
    users::find_roles(txn, who.tenant_id(), &[role_name.to_owned()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::bad_input("role", "unknown role"))
}

/// Writes one role assignment granted by the caller.
pub(crate) async fn insert_assignment(
    txn: &DatabaseTransaction,
    ctx: &RequestContext,
    user_id: Uuid,
    role_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> ApiResult<()> {
    user_role::ActiveModel {
        user_id: Set(user_id),
        role_id: Set(role_id),
        tenant_id: Set(ctx.tenant_id),
        expires_at: Set(expires_at),
        granted_by: Set(Some(ctx.user_id)),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}
