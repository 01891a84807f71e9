//! API keys: created with the secret shown once, listed, revoked.

use backbone_entities::tenancy::api_key;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use subgraph_kit::{
    ApiError, ApiResult, RequestContext,
    audit::AuditEntry,
    auth::api_key as keys,
    pagination::{Page, Paged},
    tenancy::Ref,
    validate,
};
use uuid::Uuid;

use super::{record, users};

/// What a new key needs.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Display name.
    pub name: String,
    /// Tenant role names the key acts with.
    pub roles: Vec<String>,
    /// Scopes narrowing the roles (`resource:action`, `resource:*`, `*`).
    pub scopes: Vec<String>,
    /// When the key stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a key; returns the row and the full key, which is never
/// retrievable again.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    input: NewApiKey,
) -> ApiResult<(api_key::Model, String)> {
    let name = validate::name("name", &input.name)?;
    if input.roles.is_empty() {
        return Err(ApiError::bad_input("roles", "an API key needs at least one role"));
    }
    if input.expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::bad_input("expiresAt", "expiresAt must be in the future"));
    }
    for scope in &input.scopes {
        let ok = scope == "*"
            || scope.split_once(':').is_some_and(|(r, a)| valid_word(r) && (a == "*" || valid_word(a)));
        if !ok {
            return Err(ApiError::bad_input("scopes", format!("malformed scope {scope:?}")));
        }
    }
    let generated = keys::generate();
    let txn = db.begin().await?;
    let roles = users::find_roles(&txn, ctx.tenant_id, &input.roles).await?;
    let created = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(ctx.tenant_id),
        name: Set(name),
        prefix: Set(generated.prefix),
        secret_hash: Set(generated.secret_hash),
        roles: Set(roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(" ")),
        scopes: Set(input.scopes.join(" ")),
        expires_at: Set(input.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_by: Set(Some(ctx.user_id)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let entry = AuditEntry {
        event_type: "api_key.created",
        resource_type: "api_key",
        resource_id: created.id.to_string(),
        data: serde_json::json!({ "name": created.name, "roles": created.roles, "scopes": created.scopes }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok((created, generated.full))
}

fn valid_word(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// A key of the caller's tenant.
pub async fn get(db: &DatabaseConnection, tenant_id: Uuid, id: Uuid) -> ApiResult<Option<api_key::Model>> {
    Ok(api_key::Entity::find_by_id(id).filter(api_key::Column::TenantId.eq(tenant_id)).one(db).await?)
}

/// One page of the tenant's keys, oldest first.
pub async fn list(db: &DatabaseConnection, tenant_id: Uuid, page: &Page) -> ApiResult<Paged<api_key::Model>> {
    let after = page.cursor(|c| Uuid::parse_str(c).ok())?;
    let mut q = api_key::Entity::find().filter(api_key::Column::TenantId.eq(tenant_id));
    if let Some(after) = after {
        q = q.filter(api_key::Column::Id.gt(after));
    }
    let rows = q.order_by_asc(api_key::Column::Id).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}

/// Revokes a key of the caller's tenant; revoking twice keeps the first time.
pub async fn revoke(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    key: &Ref<api_key::Entity>,
) -> ApiResult<api_key::Model> {
    let id = key.id();
    let txn = db.begin().await?;
    let current = api_key::Entity::find_by_id(id)
        .filter(api_key::Column::TenantId.eq(key.tenant_id()))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::NotFound("API key not found".into()))?;
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let mut model: api_key::ActiveModel = current.into();
    model.revoked_at = Set(Some(Utc::now()));
    let updated = model.update(&txn).await?;
    let entry = AuditEntry {
        event_type: "api_key.revoked",
        resource_type: "api_key",
        resource_id: id.to_string(),
        data: serde_json::json!({ "name": updated.name }),
    };
    record(&txn, ctx.tenant_id, ctx, entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(updated)
}
