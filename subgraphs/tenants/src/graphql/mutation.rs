//! Mutations. Each checks a permission, calls the domain (which writes the
//! change, its audit event and its outbox event in one transaction) and
//! wakes the outbox relay.

use async_graphql::{Context, ID, Object, Result};
use subgraph_kit::{ApiError, context::AuthExt, tenancy::Ref};

use super::{allow, inputs::*, kit, objects::*, uuid};
use crate::domain::{
    self,
    api_keys::NewApiKey,
    tenants::{NewTenant, TenantChanges},
    users::{Invitation, UserChanges},
};

/// Mutation root.
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates a tenant with its default roles and first admin (platform
    /// admins only).
    async fn provision_tenant(
        &self,
        ctx: &Context<'_>,
        input: ProvisionTenantInput,
    ) -> Result<ProvisionedTenant> {
        let caller = ctx.caller()?;
        if !caller.is_platform_admin() {
            return Err(ApiError::Forbidden("only platform admins provision tenants".into()).into());
        }
        let kit = kit(ctx)?;
        let (tenant, admin) = domain::tenants::provision(
            &kit.db,
            &kit.catalog,
            caller,
            NewTenant {
                name: input.name,
                kind: input.kind.into(),
                tier: input.tier.into(),
                max_users: input.max_users.into(),
                ai_token_budget: input.ai_token_budget,
                admin_email: input.admin.email,
                admin_name: input.admin.display_name,
            },
        )
        .await?;
        Ok(ProvisionedTenant { tenant: tenant.into(), admin: admin.into() })
    }

    /// Changes a tenant: its own admins may rename it; tier, limits and
    /// status are for platform admins.
    async fn update_tenant(&self, ctx: &Context<'_>, id: ID, input: UpdateTenantInput) -> Result<Tenant> {
        let allowed = allow(ctx, "tenant", "update").await?;
        let id = uuid("id", &id)?;
        let changes = TenantChanges {
            name: input.name,
            tier: input.tier.map(Into::into),
            max_users: input.max_users.map(i64::from),
            ai_token_budget: input.ai_token_budget,
            active: input.active,
        };
        let tenant = domain::tenants::update(&allowed.kit.db, allowed.caller, id, changes).await?;
        allowed.kit.rbac.invalidate_tenant(id);
        Ok(tenant.into())
    }

    /// Invites a user into the caller's tenant.
    async fn invite_user(&self, ctx: &Context<'_>, input: InviteUserInput) -> Result<User> {
        let allowed = allow(ctx, "user", "invite").await?;
        if !input.roles.is_empty() {
            allowed.kit.rbac.require(allowed.caller, "role", "assign").await?;
        }
        let user = domain::users::invite(
            &allowed.kit.db,
            allowed.caller,
            Invitation { email: input.email, display_name: input.display_name, roles: input.roles },
        )
        .await?;
        Ok(user.into())
    }

    /// Changes a user's profile (own profile with `own` scope).
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let allowed = allow(ctx, "user", "update").await?;
        let id = uuid("id", &id)?;
        if !allowed.scope.reaches(allowed.caller, id) {
            return Err(ApiError::Forbidden("you may only update your own profile".into()).into());
        }
        let who = Ref::find(&allowed.kit.db, allowed.caller.tenant_id, id).await?;
        let changes = UserChanges { display_name: input.display_name, email: input.email };
        let user = domain::users::update(&allowed.kit.db, allowed.caller, &who, changes).await?;
        Ok(user.into())
    }

    /// Deactivates a user: they keep their history and lose every grant.
    async fn deactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let allowed = allow(ctx, "user", "deactivate").await?;
        let who = Ref::parse(&allowed.kit.db, allowed.caller.tenant_id, "id", &id).await?;
        let user = domain::users::deactivate(&allowed.kit.db, allowed.caller, &who).await?;
        allowed.kit.rbac.invalidate(allowed.caller.tenant_id, who.id()).await;
        Ok(user.into())
    }

    /// Assigns a role to a user, optionally until a time.
    async fn assign_role(&self, ctx: &Context<'_>, input: AssignRoleInput) -> Result<User> {
        let allowed = allow(ctx, "role", "assign").await?;
        let db = &allowed.kit.db;
        let who = Ref::parse(db, allowed.caller.tenant_id, "userId", &input.user_id).await?;
        let user_id = who.id();
        domain::roles::assign(db, allowed.caller, &who, &input.role, input.expires_at).await?;
        allowed.kit.rbac.invalidate(allowed.caller.tenant_id, user_id).await;
        let user = domain::users::get(db, allowed.caller.tenant_id, user_id).await?;
        Ok(user.ok_or_else(domain::users::not_found)?.into())
    }

    /// Revokes a role from a user.
    async fn revoke_role(&self, ctx: &Context<'_>, user_id: ID, role: String) -> Result<User> {
        let allowed = allow(ctx, "role", "assign").await?;
        let db = &allowed.kit.db;
        let who = Ref::parse(db, allowed.caller.tenant_id, "userId", &user_id).await?;
        let user_id = who.id();
        domain::roles::revoke(db, allowed.caller, &who, &role).await?;
        allowed.kit.rbac.invalidate(allowed.caller.tenant_id, user_id).await;
        let user = domain::users::get(db, allowed.caller.tenant_id, user_id).await?;
        Ok(user.ok_or_else(domain::users::not_found)?.into())
    }

    /// Creates an API key; its secret is in the answer and nowhere else.
    async fn create_api_key(&self, ctx: &Context<'_>, input: CreateApiKeyInput) -> Result<CreatedApiKey> {
        let allowed = allow(ctx, "api_key", "create").await?;
        let (key, secret) = domain::api_keys::create(
            &allowed.kit.db,
            allowed.caller,
            NewApiKey {
                name: input.name,
                roles: input.roles,
                scopes: input.scopes,
                expires_at: input.expires_at,
            },
        )
        .await?;
        Ok(CreatedApiKey { api_key: key.into(), secret })
    }

    /// Revokes an API key; it is refused from the next request on.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let allowed = allow(ctx, "api_key", "revoke").await?;
        let key = Ref::parse(&allowed.kit.db, allowed.caller.tenant_id, "id", &id).await?;
        let revoked = domain::api_keys::revoke(&allowed.kit.db, allowed.caller, &key).await?;
        allowed.kit.rbac.invalidate(allowed.caller.tenant_id, key.id()).await;
        Ok(revoked.into())
    }
}
