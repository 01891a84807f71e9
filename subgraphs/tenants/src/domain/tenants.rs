//! Tenants: provisioning with default roles and a first admin, settings,
//! and usage against limits.

use std::collections::HashMap;

use backbone_entities::tenancy::{
    permission, role, role_permission,
    tenant::{self, SubscriptionTier, TenantType},
    user::{self, UserStatus},
};
use backbone_schema::{event_types, roles::DEFAULT_TENANT_ROLES};
use chrono::Utc;
use sea_orm::ActiveEnum;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use subgraph_kit::{
    ApiError, ApiResult, RequestContext,
    audit::AuditEntry,
    pagination::{Page, Paged},
    rbac::catalog::Catalog,
    validate,
};
use uuid::Uuid;

use super::record;

/// Largest `max_users` a tenant may be given.
pub const MAX_USERS_LIMIT: i64 = 1_000_000;
/// Largest AI token budget a tenant may be given.
pub const MAX_AI_BUDGET: i64 = 1_000_000_000_000;

/// What provisioning needs.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Display name.
    pub name: String,
    /// clinic, trial, organization or partner.
    pub kind: TenantType,
    /// Subscription tier.
    pub tier: SubscriptionTier,
    /// User limit.
    pub max_users: i64,
    /// AI token budget.
    pub ai_token_budget: i64,
    /// First admin's email.
    pub admin_email: String,
    /// First admin's name.
    pub admin_name: String,
}

/// Creates the tenant, its default roles with their permissions and the
/// first admin user, in one transaction.
pub async fn provision(
    db: &DatabaseConnection,
    catalog: &Catalog,
    ctx: &RequestContext,
    input: NewTenant,
) -> ApiResult<(tenant::Model, user::Model)> {
    let name = validate::name("name", &input.name)?;
    let admin_email = validate::email("admin.email", &input.admin_email)?;
    let admin_name = validate::name("admin.displayName", &input.admin_name)?;
    let max_users = validate::bounded("maxUsers", input.max_users, MAX_USERS_LIMIT)?;
    if max_users < 1 {
        return Err(ApiError::bad_input("maxUsers", "maxUsers must be at least 1 (the admin)"));
    }
    let budget = validate::bounded("aiTokenBudget", input.ai_token_budget, MAX_AI_BUDGET)?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let tenant = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        kind: Set(input.kind),
        tier: Set(input.tier),
        max_users: Set(max_users as i32),
        ai_token_budget: Set(budget),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let role_ids = create_default_roles(&txn, catalog, tenant.id).await?;
    let admin = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.id),
        email: Set(admin_email),
        display_name: Set(admin_name),
        status: Set(UserStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let admin_role = role_ids[backbone_schema::roles::TENANT_ADMIN];
    // The admin's assignment belongs to the new tenant, not the caller's.
    let in_new_tenant = RequestContext { tenant_id: tenant.id, ..ctx.clone() };
    super::roles::insert_assignment(&txn, &in_new_tenant, admin.id, admin_role, None).await?;
    let entry = AuditEntry {
        event_type: event_types::TENANT_PROVISIONED,
        resource_type: "tenant",
        resource_id: tenant.id.to_string(),
        data: serde_json::json!({
            "name": tenant.name, "kind": tenant.kind.to_value(), "tier": tenant.tier.to_value(),
            "maxUsers": tenant.max_users, "adminUserId": admin.id,
        }),
    };
    record(&txn, tenant.id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok((tenant, admin))
}

/// Makes sure the catalog's permissions exist and creates the default roles
/// of a new tenant with the catalog's grants; returns role ids by name.
async fn create_default_roles(
    txn: &DatabaseTransaction,
    catalog: &Catalog,
    tenant_id: Uuid,
) -> ApiResult<HashMap<&'static str, Uuid>> {
    let mut perms: HashMap<(String, String), Uuid> = permission::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|p| ((p.resource, p.action), p.id))
        .collect();
    for p in &catalog.permissions {
        let key = (p.resource.to_owned(), p.action.to_owned());
        if perms.contains_key(&key) {
            continue;
        }
        let id = Uuid::now_v7();
        permission::ActiveModel {
            id: Set(id),
            resource: Set(key.0.clone()),
            action: Set(key.1.clone()),
            description: Set(p.description.to_owned()),
        }
        .insert(txn)
        .await?;
        perms.insert(key, id);
    }
    let now = Utc::now();
    let mut ids = HashMap::new();
    for name in DEFAULT_TENANT_ROLES {
        let id = Uuid::now_v7();
        role::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant_id),
            name: Set(name.to_owned()),
            description: Set(crate::permissions::role_description(name).to_owned()),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        ids.insert(name, id);
    }
    for g in &catalog.grants {
        let (Some(role_id), Some(permission_id)) =
            (ids.get(g.role), perms.get(&(g.resource.to_owned(), g.action.to_owned())))
        else {
            return Err(ApiError::Internal(format!("catalog grant {}:{}:{}", g.role, g.resource, g.action)));
        };
        role_permission::ActiveModel {
            role_id: Set(*role_id),
            permission_id: Set(*permission_id),
            scope: Set(g.scope.as_str().to_owned()),
        }
        .insert(txn)
        .await?;
    }
    Ok(ids)
}

/// A tenant the caller may see: their own, or any for platform admins.
pub async fn get(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    id: Uuid,
) -> ApiResult<Option<tenant::Model>> {
    if id != ctx.tenant_id && !ctx.is_platform_admin() {
        return Ok(None);
    }
    Ok(tenant::Entity::find_by_id(id).one(db).await?)
}

/// One page of all tenants, oldest first (platform admins only; checked by
/// the caller). Returns the page and whether more follow.
pub async fn list(db: &DatabaseConnection, page: &Page) -> ApiResult<Paged<tenant::Model>> {
    let after = page.cursor(|c| Uuid::parse_str(c).ok())?;
    let mut q = tenant::Entity::find().order_by_asc(tenant::Column::Id);
    if let Some(after) = after {
        q = q.filter(tenant::Column::Id.gt(after));
    }
    let rows = q.limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}

/// Changes to a tenant's settings; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct TenantChanges {
    /// New name.
    pub name: Option<String>,
    /// New tier (platform admins only).
    pub tier: Option<SubscriptionTier>,
    /// New user limit (platform admins only).
    pub max_users: Option<i64>,
    /// New AI budget (platform admins only).
    pub ai_token_budget: Option<i64>,
    /// Activate or deactivate (platform admins only).
    pub active: Option<bool>,
}

/// Updates a tenant. Tenant admins may rename their own tenant; limits,
/// tier and status are the platform's to change.
pub async fn update(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    id: Uuid,
    changes: TenantChanges,
) -> ApiResult<tenant::Model> {
    let limits_changed = changes.tier.is_some()
        || changes.max_users.is_some()
        || changes.ai_token_budget.is_some()
        || changes.active.is_some();
    if limits_changed && !ctx.is_platform_admin() {
        return Err(ApiError::Forbidden("only the platform changes tier, limits or status".into()));
    }
    let txn = db.begin().await?;
    let current = get_for_update(&txn, ctx, id).await?;
    let mut model: tenant::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        model.name = Set(validate::name("name", name)?);
    }
    if let Some(tier) = &changes.tier {
        model.tier = Set(*tier);
    }
    if let Some(max) = changes.max_users {
        let max = validate::bounded("maxUsers", max, MAX_USERS_LIMIT)?;
        model.max_users = Set(max.max(1) as i32);
    }
    if let Some(budget) = changes.ai_token_budget {
        model.ai_token_budget = Set(validate::bounded("aiTokenBudget", budget, MAX_AI_BUDGET)?);
    }
    if let Some(active) = changes.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    let entry = AuditEntry {
        event_type: event_types::TENANT_UPDATED,
        resource_type: "tenant",
        resource_id: id.to_string(),
        data: serde_json::json!({
            "name": changes.name, "tier": changes.tier.map(|t| t.to_value()), "maxUsers": changes.max_users,
            "aiTokenBudget": changes.ai_token_budget, "active": changes.active,
        }),
    };
    record(&txn, id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}

/// Loads a visible tenant inside a transaction, locking its row on Postgres
/// so concurrent limit checks see each other.
pub(crate) async fn get_for_update(
    txn: &DatabaseTransaction,
    ctx: &RequestContext,
    id: Uuid,
) -> ApiResult<tenant::Model> {
    if id != ctx.tenant_id && !ctx.is_platform_admin() {
        return Err(ApiError::NotFound("tenant not found".into()));
    }
    let mut q = tenant::Entity::find_by_id(id);
    if subgraph_kit::db::is_postgres(txn) {
        q = q.lock_exclusive();
    }
    q.one(txn).await?.ok_or_else(|| ApiError::NotFound("tenant not found".into()))
}

/// Users counted against the limit, and the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Users with status active.
    pub active_users: u64,
    /// Users invited but not yet active.
    pub invited_users: u64,
    /// The limit; active plus invited users may not exceed it.
    pub max_users: u64,
    /// Whether the limit is the billing plan's (`tenants.max_users`)
    /// rather than the one the tenant was provisioned with.
    pub from_plan: bool,
}

/// Counts users (not deactivated) against the tenant's limit.
pub async fn usage(db: &impl ConnectionTrait, tenant: &tenant::Model) -> ApiResult<Usage> {
    let count = |status: UserStatus| {
        user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant.id))
            .filter(user::Column::Status.eq(status))
            .count(db)
    };
    let plan = subgraph_kit::quota::grant(db, tenant.id, super::users::MAX_USERS).await?;
    let max_users = match plan {
        Some(g) => g.limit.unwrap_or(MAX_USERS_LIMIT),
        None => tenant.max_users.into(),
    };
    Ok(Usage {
        active_users: count(UserStatus::Active).await?,
        invited_users: count(UserStatus::Invited).await?,
        max_users: max_users.max(0) as u64,
        from_plan: plan.is_some(),
    })
}
