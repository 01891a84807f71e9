//! Role-based access control (docs/design.md §4).
//!
//! A role carries permissions `(resource, action, scope)`. A caller's
//! effective roles are, for a user, their role assignments in the database
//! that have not expired (so revocation and expiry act at once, not when the
//! token expires) and only while the user and tenant are active; for an API
//! key, the roles stored on the key. `platform_admin` is carried in the
//! token only and grants every action at global scope.
//!
//! Grants are cached per caller for [`CACHE_TTL`] and evicted when roles
//! change in this process ([`Rbac::invalidate_tenant`]); an assignment that
//! expires inside the cache window is honoured because each cache entry
//! remembers the earliest expiry it depends on.

pub mod catalog;
mod grants;
pub mod upgrade;

use std::{sync::Arc, time::Duration};

use moka::future::Cache;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    context::RequestContext,
    error::{ApiError, ApiResult},
};
pub use grants::Grants;

/// How long a caller's grants are cached.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// How far a permission reaches, from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Only rows the caller owns (their own user, their own data).
    Own,
    /// Rows of the caller's team.
    Team,
    /// Every row of the caller's tenant.
    Tenant,
    /// Every tenant (platform operators only).
    Global,
}

impl Scope {
    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "own" => Some(Self::Own),
            "team" => Some(Self::Team),
            "tenant" => Some(Self::Tenant),
            "global" => Some(Self::Global),
            _ => None,
        }
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Team => "team",
            Self::Tenant => "tenant",
            Self::Global => "global",
        }
    }

    /// Whether this scope reaches a row owned by `owner` in the caller's tenant.
    pub fn reaches(self, ctx: &RequestContext, owner: Uuid) -> bool {
        self >= Scope::Team || owner == ctx.user_id
    }
}

/// The RBAC engine with its grant cache.
#[derive(Clone)]
pub struct Rbac {
    db: DatabaseConnection,
    cache: Cache<(Uuid, Uuid), Arc<Grants>>,
}

impl Rbac {
    /// A new engine over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(CACHE_TTL)
                .support_invalidation_closures()
                .build(),
        }
    }

    /// Checks that the caller may do `action` on `resource`, returning the
    /// widest scope granted; `FORBIDDEN` otherwise.
    pub async fn require(&self, ctx: &RequestContext, resource: &str, action: &str) -> ApiResult<Scope> {
        if ctx.is_platform_admin() {
            return Ok(Scope::Global);
        }
        if !ctx.scopes_allow(resource, action) {
            return Err(forbidden(resource, action));
        }
        self.grants(ctx).await?.scope_for(resource, action).ok_or_else(|| forbidden(resource, action))
    }

    /// Checks that the token still names someone: its tenant exists and is
    /// active, and so is its user (API keys are checked against the key
    /// store instead). `UNAUTHENTICATED` otherwise, so a deactivated user or
    /// tenant, or a token minted for ids that never existed, reaches
    /// nothing, not even `me`. The platform's roles (`platform_admin`,
    /// `billing_admin`) are token-only.
    pub async fn admit(&self, ctx: &RequestContext) -> ApiResult<()> {
        if ctx.holds_platform_role() || self.grants(ctx).await?.standing {
            Ok(())
        } else {
            Err(ApiError::Unauthenticated("the token's user or tenant is unknown or deactivated".into()))
        }
    }

    /// The caller's grants, from cache or database.
    pub async fn grants(&self, ctx: &RequestContext) -> ApiResult<Arc<Grants>> {
        let key = (ctx.tenant_id, ctx.user_id);
        if let Some(cached) = self.cache.get(&key).await
            && !cached.is_stale()
        {
            return Ok(cached);
        }
        let grants = Arc::new(grants::load(&self.db, ctx).await?);
        self.cache.insert(key, grants.clone()).await;
        Ok(grants)
    }

    /// Evicts a tenant's cached grants whenever an event says its status,
    /// a user's status or roles changed, in this process or any other
    /// replica on the bus, so revocation does not wait for [`CACHE_TTL`].
    /// Runs until the bus ends.
    pub async fn follow(self, bus: std::sync::Arc<dyn crate::bus::EventBus>) {
        use backbone_schema::event_types as t;
        use futures::StreamExt;
        let mut events = bus.subscribe();
        while let Some(event) = events.next().await {
            if [t::TENANT_UPDATED, t::USER_UPDATED, t::USER_DEACTIVATED, t::ROLES_CHANGED]
                .contains(&event.event_type.as_str())
            {
                self.invalidate_tenant(event.tenant_id);
            }
        }
    }

    /// Forgets one caller's grants (after their roles or status changed).
    pub async fn invalidate(&self, tenant_id: Uuid, user_id: Uuid) {
        self.cache.invalidate(&(tenant_id, user_id)).await;
    }

    /// Forgets every cached grant of a tenant (after a role's permissions or
    /// the tenant's status changed).
    pub fn invalidate_tenant(&self, tenant_id: Uuid) {
        // Moka evaluates the predicate lazily; an error only means
        // invalidation closures are disabled, which we never do.
        let _ = self.cache.invalidate_entries_if(move |(t, _), _| *t == tenant_id);
    }
}

fn forbidden(resource: &str, action: &str) -> ApiError {
    ApiError::Forbidden(format!("not allowed to {action} {resource}"))
}

impl RequestContext {
    /// API keys may be narrowed by scopes `resource:action`, `resource:*`
    /// or `*`; a key with no scopes is not narrowed. User tokens' scopes are
    /// OAuth scopes of the identity provider and do not narrow RBAC.
    pub fn scopes_allow(&self, resource: &str, action: &str) -> bool {
        if self.principal != crate::Principal::ApiKey || self.scopes.is_empty() {
            return true;
        }
        self.scopes.iter().any(|s| {
            s == "*" || s.split_once(':').is_some_and(|(r, a)| r == resource && (a == action || a == "*"))
        })
    }
}
