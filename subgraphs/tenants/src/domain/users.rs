//! Users: invite, update, deactivate, look up and list.

use backbone_entities::tenancy::{
    role,
    user::{self, UserStatus},
    user_role,
};
use backbone_schema::event_types;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use subgraph_kit::{
    ApiError, ApiResult, RequestContext,
    audit::AuditEntry,
    pagination::{Page, Paged},
    quota::{Key, WithoutGrant},
    tenancy::Ref,
    validate,
};
use uuid::Uuid;

use super::{is_unique_violation, record, tenants};

/// Users (active and invited) a tenant may have, as its billing plan
/// grants them; when the plan does not name it, the limit the tenant was
/// provisioned with applies.
pub const MAX_USERS: &str = "tenants.max_users";

/// The entitlement keys this subgraph spends.
pub const QUOTAS: &[Key] = &[Key { name: MAX_USERS, without_grant: WithoutGrant::Unlimited }];

/// The consumer group that follows them.
pub const QUOTA_GROUP: &str = "tenants.quotas";

/// What an invitation needs.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Email, unique within the tenant.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role names to assign at once.
    pub roles: Vec<String>,
}

/// Invites a user into the caller's tenant, unless the tenant is at its
/// user limit (`CONFLICT`) or the email is taken (`CONFLICT`).
pub async fn invite(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    inv: Invitation,
) -> ApiResult<user::Model> {
    let email = validate::email("email", &inv.email)?;
    let display_name = validate::name("displayName", &inv.display_name)?;
    let txn = db.begin().await?;
    // The tenant row lock serializes invitations of one tenant on Postgres
    // (SQLite has a single writer), so the limit holds under concurrency.
    let tenant = tenants::get_for_update(&txn, ctx, ctx.tenant_id).await?;
    let usage = tenants::usage(&txn, &tenant).await?;
    let current = usage.active_users + usage.invited_users;
    if usage.from_plan {
        subgraph_kit::quota::admit(&txn, ctx.tenant_id, MAX_USERS, current as i64, 1).await?;
    } else if current >= usage.max_users {
        return Err(ApiError::Conflict(format!(
            "tenant has reached its limit of {} users; deactivate a user or raise the limit",
            usage.max_users
        )));
    }
    let roles = find_roles(&txn, ctx.tenant_id, &inv.roles).await?;
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(ctx.tenant_id),
        email: Set(email),
        display_name: Set(display_name),
        status: Set(UserStatus::Invited),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict("a user with this email already exists".into())
        } else {
            e.into()
        }
    })?;
    for r in &roles {
        super::roles::insert_assignment(&txn, ctx, created.id, r.id, None).await?;
    }
    let entry = AuditEntry {
        event_type: event_types::USER_INVITED,
        resource_type: "user",
        resource_id: created.id.to_string(),
        // Who (the resource id) and what, never the person's values: the
        // audit log outlives their erasure (docs/decisions.md, "Erasure").
        data: serde_json::json!({ "roles": roles.iter().map(|r| &r.name).collect::<Vec<_>>() }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(created)
}

/// Role rows of `tenant_id` by name; an unknown name is BAD_USER_INPUT.
pub(crate) async fn find_roles(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    names: &[String],
) -> ApiResult<Vec<role::Model>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let found = role::Entity::find()
        .filter(role::Column::TenantId.eq(tenant_id))
        .filter(role::Column::Name.is_in(names.iter().cloned()))
        .all(db)
        .await?;
    if let Some(missing) = names.iter().find(|n| !found.iter().any(|r| &r.name == *n)) {
        return Err(ApiError::bad_input("roles", format!("unknown role {missing:?}")));
    }
    Ok(found)
}

/// A user of the caller's tenant.
pub async fn get(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> ApiResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).filter(user::Column::TenantId.eq(tenant_id)).one(db).await?)
}

/// Filters for listing users.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only this status.
    pub status: Option<UserStatus>,
    /// Only users holding this role (expired assignments excluded).
    pub role: Option<String>,
    /// Case-insensitive substring of email or display name.
    pub search: Option<String>,
}

/// One page of the tenant's users, oldest first; returns whether more follow.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    filter: &UserFilter,
    page: &Page,
) -> ApiResult<Paged<user::Model>> {
    let after = page.cursor(|c| Uuid::parse_str(c).ok())?;
    let mut q = user::Entity::find().filter(user::Column::TenantId.eq(tenant_id));
    if let Some(after) = after {
        q = q.filter(user::Column::Id.gt(after));
    }
    if let Some(status) = &filter.status {
        q = q.filter(user::Column::Status.eq(*status));
    }
    if let Some(search) = &filter.search {
        if search.chars().count() > validate::MAX_NAME {
            return Err(ApiError::bad_input("filter.search", "search is too long"));
        }
        let pattern = validate::contains_pattern(&search.to_lowercase());
        q = q.filter(
            Condition::any()
                .add(user::Column::Email.like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(user::Column::DisplayName))).like(pattern)),
        );
    }
    if let Some(role_name) = &filter.role {
        let Some(found) = find_roles(db, tenant_id, std::slice::from_ref(role_name)).await?.pop() else {
            return Ok(page.split(Vec::new()));
        };
        let holders: Vec<Uuid> = user_role::Entity::find()
            .filter(user_role::Column::RoleId.eq(found.id))
            .filter(
                Condition::any()
                    .add(user_role::Column::ExpiresAt.is_null())
                    .add(user_role::Column::ExpiresAt.gt(Utc::now())),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        q = q.filter(user::Column::Id.is_in(holders));
    }
    let rows = q.order_by_asc(user::Column::Id).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}

/// Changes to a user's profile.
#[derive(Debug, Default, Clone)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New email.
    pub email: Option<String>,
}

/// Updates a user of the caller's tenant (`who` was found in it).
pub async fn update(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    who: &Ref<user::Entity>,
    changes: UserChanges,
) -> ApiResult<user::Model> {
    let id = who.id();
    let txn = db.begin().await?;
    let current = get(&txn, who.tenant_id(), id).await?.ok_or_else(not_found)?;
    let mut model: user::ActiveModel = current.into();
    if let Some(name) = &changes.display_name {
        model.display_name = Set(validate::name("displayName", name)?);
    }
    if let Some(email) = &changes.email {
        model.email = Set(validate::email("email", email)?);
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict("a user with this email already exists".into())
        } else {
            e.into()
        }
    })?;
    let changed: Vec<&str> =
        [changes.display_name.as_ref().map(|_| "displayName"), changes.email.as_ref().map(|_| "email")]
            .into_iter()
            .flatten()
            .collect();
    let entry = AuditEntry {
        event_type: event_types::USER_UPDATED,
        resource_type: "user",
        resource_id: id.to_string(),
        // Which fields changed, not their values (see `invite`).
        data: serde_json::json!({ "changed": changed }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}

/// Deactivates a user: they keep their history but are granted nothing.
/// Deactivating yourself is refused, so a tenant cannot lock out its last
/// admin by accident.
pub async fn deactivate(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    who: &Ref<user::Entity>,
) -> ApiResult<user::Model> {
    let id = who.id();
    if id == ctx.user_id {
        return Err(ApiError::bad_input("id", "you cannot deactivate yourself"));
    }
    let txn = db.begin().await?;
    let current = get(&txn, who.tenant_id(), id).await?.ok_or_else(not_found)?;
    if current.status == UserStatus::Deactivated {
        return Ok(current);
    }
    let mut model: user::ActiveModel = current.into();
    model.status = Set(UserStatus::Deactivated);
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    let entry = AuditEntry {
        event_type: event_types::USER_DEACTIVATED,
        resource_type: "user",
        resource_id: id.to_string(),
        data: serde_json::json!({}),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}

pub(crate) fn not_found() -> ApiError {
    ApiError::NotFound("user not found".into())
}

/// Users of a tenant who are not deactivated.
pub async fn active_count(db: &DatabaseConnection, tenant_id: Uuid) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Status.ne(UserStatus::Deactivated))
        .count(db)
        .await?)
}
