//! Queries and federation entity resolvers.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use subgraph_kit::{ApiError, context::AuthExt, pagination::Page};

use super::{
    allow,
    inputs::{AuditFilterInput, UserFilterInput},
    kit,
    objects::*,
    uuid,
};
use crate::domain::{self, audit_log::AuditFilter, users::UserFilter};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The caller's own user (null for API keys).
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let caller = ctx.caller()?;
        let kit = kit(ctx)?;
        Ok(domain::users::get(&kit.db, caller.tenant_id, caller.user_id).await?.map(User::from))
    }

    /// A tenant: the caller's own when `id` is omitted. Other tenants are
    /// visible to platform admins only; for anyone else they do not exist.
    async fn tenant(&self, ctx: &Context<'_>, id: Option<ID>) -> Result<Option<Tenant>> {
        let allowed = allow(ctx, "tenant", "read").await?;
        let id = match id {
            Some(id) => uuid("id", &id)?,
            None => allowed.caller.tenant_id,
        };
        Ok(domain::tenants::get(&allowed.kit.db, allowed.caller, id).await?.map(Tenant::from))
    }

    /// Every tenant (platform admins only).
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Tenant>> {
        let caller = ctx.caller()?;
        if !caller.is_platform_admin() {
            return Err(ApiError::Forbidden("only platform admins list tenants".into()).into());
        }
        let page = Page::new(first, after)?;
        let rows = domain::tenants::list(&kit(ctx)?.db, &page).await?;
        Ok(rows.connection(|t| (t.id.to_string(), Tenant::from(t))))
    }

    /// Usage of the caller's tenant against its limits.
    async fn usage(&self, ctx: &Context<'_>) -> Result<TenantUsage> {
        let allowed = allow(ctx, "usage", "read").await?;
        let tenant = domain::tenants::get(&allowed.kit.db, allowed.caller, allowed.caller.tenant_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("tenant not found".into()))?;
        Ok(domain::tenants::usage(&allowed.kit.db, &tenant).await?.into())
    }

    /// A user of the caller's tenant.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let allowed = allow(ctx, "user", "read").await?;
        let id = uuid("id", &id)?;
        if !allowed.scope.reaches(allowed.caller, id) {
            return Ok(None);
        }
        Ok(domain::users::get(&allowed.kit.db, allowed.caller.tenant_id, id).await?.map(User::from))
    }

    /// Users of the caller's tenant, oldest first.
    async fn users(
        &self,
        ctx: &Context<'_>,
        filter: Option<UserFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, User>> {
        let allowed = allow(ctx, "user", "read").await?;
        let page = Page::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let filter =
            UserFilter { status: filter.status.map(Into::into), role: filter.role, search: filter.search };
        let rows = domain::users::list(&allowed.kit.db, allowed.caller.tenant_id, &filter, &page).await?;
        // Own-scope callers (patients) see only themselves.
        let rows = rows.retain(|u| allowed.scope.reaches(allowed.caller, u.id));
        Ok(rows.connection(|u| (u.id.to_string(), User::from(u))))
    }

    /// Roles of the caller's tenant with their permissions.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Role>> {
        let allowed = allow(ctx, "role", "read").await?;
        let page = Page::new(first, after)?;
        let roles = domain::roles::list(&allowed.kit.db, allowed.caller.tenant_id, &page).await?;
        Ok(roles.connection_at(Role::from))
    }

    /// An API key of the caller's tenant.
    async fn api_key(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ApiKey>> {
        let allowed = allow(ctx, "api_key", "read").await?;
        let id = uuid("id", &id)?;
        Ok(domain::api_keys::get(&allowed.kit.db, allowed.caller.tenant_id, id).await?.map(ApiKey::from))
    }

    /// API keys of the caller's tenant, oldest first.
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ApiKey>> {
        let allowed = allow(ctx, "api_key", "read").await?;
        let page = Page::new(first, after)?;
        let rows = domain::api_keys::list(&allowed.kit.db, allowed.caller.tenant_id, &page).await?;
        Ok(rows.connection(|k| (k.id.to_string(), ApiKey::from(k))))
    }

    /// The caller's tenant's audit log, newest first.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AuditEvent>> {
        let allowed = allow(ctx, "audit", "read").await?;
        let page = Page::new(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            actor_id: f.actor_id.as_ref().map(|a| uuid("filter.actorId", a)).transpose()?,
            event_type: f.event_type,
            resource_type: f.resource_type,
            resource_id: f.resource_id,
            from: f.from,
            to: f.to,
        };
        let rows =
            domain::audit_log::query(&allowed.kit.db, allowed.caller.tenant_id, &filter, &page).await?;
        Ok(rows.connection(|e| (e.seq.to_string(), AuditEvent::from(e))))
    }

    /// Checks the caller's tenant's audit chain and names the first broken
    /// link.
    async fn verify_audit_chain(&self, ctx: &Context<'_>) -> Result<AuditChainReport> {
        let allowed = allow(ctx, "audit", "read").await?;
        let report = allowed.kit.audit.verify(&allowed.kit.db, allowed.caller.tenant_id).await?;
        let broken = report.broken;
        Ok(AuditChainReport {
            valid: broken.is_none(),
            checked: report.checked,
            first_broken_event_id: broken.as_ref().and_then(|b| b.event_id).map(|id| ID(id.to_string())),
            first_broken_seq: broken.as_ref().map(|b| b.seq),
            reason: broken.map(|b| b.reason),
        })
    }

    /// Federation: a tenant by key. Null when not visible to the caller.
    #[graphql(entity)]
    async fn find_tenant_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Tenant>> {
        let allowed = allow(ctx, "tenant", "read").await?;
        let id = uuid("id", &id)?;
        Ok(domain::tenants::get(&allowed.kit.db, allowed.caller, id).await?.map(Tenant::from))
    }

    /// Federation: a user by key. Null when not visible to the caller.
    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let allowed = allow(ctx, "user", "read").await?;
        let id = uuid("id", &id)?;
        if !allowed.scope.reaches(allowed.caller, id) {
            return Ok(None);
        }
        Ok(domain::users::get(&allowed.kit.db, allowed.caller.tenant_id, id).await?.map(User::from))
    }

    /// Federation: the user figures of a tenant (the caller's only).
    #[graphql(entity)]
    async fn find_tenant_metrics_by_tenant_id(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> Result<TenantMetrics> {
        let allowed = subgraph_kit::graphql::allow_metrics(ctx, &tenant_id).await?;
        let active = domain::users::active_count(&allowed.kit.db, allowed.caller.tenant_id).await?;
        Ok(TenantMetrics { tenant_id, active_users: active as i64 })
    }
}
