//! API types. Built from rows by explicit conversions: the table shape and
//! the API shape change independently.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use backbone_entities::{
    platform::audit_event,
    tenancy::{
        api_key,
        tenant::{self, SubscriptionTier as StoredTier, TenantType as StoredTenantType},
        user::{self, UserStatus as StoredUserStatus},
    },
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::AssignmentLoader;
use crate::domain;

subgraph_kit::mirror_enum!(
    /// What kind of organization a tenant is.
    TenantType = StoredTenantType {
        /// A clinic or practice.
        Clinic,
        /// Trying the platform.
        Trial,
        /// Any other organization (a school, a network).
        Organization,
        /// An integration partner.
        Partner,
    }
);
subgraph_kit::mirror_enum!(
    /// The tenant's subscription tier.
    SubscriptionTier = StoredTier {
        /// No charge.
        Free,
        /// The standard plan.
        Standard,
        /// More users and limits.
        Professional,
        /// Contracted terms.
        Enterprise,
    }
);
subgraph_kit::mirror_enum!(
    /// Where a user is in their lifecycle.
    UserStatus = StoredUserStatus {
        /// Invited, not signed in yet.
        Invited,
        /// Signed in at least once.
        Active,
        /// Keeps their history; granted nothing.
        Deactivated,
    }
);

/// A customer organization. Other subgraphs extend it by `id`.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Tenant {
    /// The tenant's id; tokens carry it as `tid`.
    pub id: ID,
    /// Display name.
    pub name: String,
    /// Kind of organization.
    #[graphql(name = "type")]
    pub kind: TenantType,
    /// Subscription tier.
    pub tier: SubscriptionTier,
    /// Most users (invited or active) allowed.
    pub max_users: i32,
    /// AI tokens the tenant may spend per period.
    pub ai_token_budget: i64,
    /// Inactive tenants cannot act.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub(crate) row: tenant::Model,
}

#[ComplexObject]
impl Tenant {
    /// Users counted against the limit (needs `usage:read`).
    async fn usage(&self, ctx: &Context<'_>) -> Result<TenantUsage> {
        let allowed = super::allow(ctx, "usage", "read").await?;
        let usage = domain::tenants::usage(&allowed.kit.db, &self.row).await?;
        Ok(usage.into())
    }
}

impl From<tenant::Model> for Tenant {
    fn from(row: tenant::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            name: row.name.clone(),
            kind: row.kind.into(),
            tier: row.tier.into(),
            max_users: row.max_users,
            ai_token_budget: row.ai_token_budget,
            active: row.active,
            created_at: row.created_at,
            row,
        }
    }
}

/// Users against the tenant's limit.
#[derive(SimpleObject, Clone, Copy)]
pub struct TenantUsage {
    /// Users who are active (they count against `maxUsers`).
    pub active_users: u64,
    /// Invited users not yet active.
    pub invited_users: u64,
    /// The limit on active plus invited users.
    pub max_users: u64,
    /// Invitations still possible.
    pub remaining: u64,
}

impl From<domain::tenants::Usage> for TenantUsage {
    fn from(u: domain::tenants::Usage) -> Self {
        Self {
            active_users: u.active_users,
            invited_users: u.invited_users,
            max_users: u.max_users,
            remaining: u.max_users.saturating_sub(u.active_users + u.invited_users),
        }
    }
}

/// A person using the platform within one tenant.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    /// The user's id; tokens carry it as `sub`.
    pub id: ID,
    /// Email, unique within the tenant.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Lifecycle status.
    pub status: UserStatus,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When the profile or status last changed.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub(crate) tenant_id: Uuid,
    #[graphql(skip)]
    pub(crate) user_id: Uuid,
}

#[ComplexObject]
impl User {
    /// Role assignments, expired ones included and marked inactive.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleAssignment>> {
        let loader = ctx.data::<async_graphql::dataloader::DataLoader<AssignmentLoader>>()?;
        let held = loader.load_one((self.tenant_id, self.user_id)).await?.unwrap_or_default();
        Ok(held.into_iter().map(RoleAssignment::from).collect())
    }
}

impl From<user::Model> for User {
    fn from(row: user::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            email: row.email,
            display_name: row.display_name,
            status: row.status.into(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            tenant_id: row.tenant_id,
            user_id: row.id,
        }
    }
}

/// A role held by a user.
#[derive(SimpleObject, Clone, Debug)]
pub struct RoleAssignment {
    /// The role's name, e.g. `clinician`.
    pub role: String,
    /// When it stops granting anything; null for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it grants now.
    pub active: bool,
}

impl From<domain::roles::Assignment> for RoleAssignment {
    fn from(a: domain::roles::Assignment) -> Self {
        Self { role: a.role, expires_at: a.expires_at, active: a.active }
    }
}

/// A role of the tenant with its permissions.
#[derive(SimpleObject, Clone)]
pub struct Role {
    /// The role's id.
    pub id: ID,
    /// Name, unique within the tenant.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// What it allows.
    pub permissions: Vec<Permission>,
}

impl From<domain::roles::RoleWithPermissions> for Role {
    fn from(r: domain::roles::RoleWithPermissions) -> Self {
        Self {
            id: ID(r.role.id.to_string()),
            name: r.role.name,
            description: r.role.description,
            permissions: r
                .permissions
                .into_iter()
                .map(|(resource, action, scope)| Permission { resource, action, scope })
                .collect(),
        }
    }
}

/// One permission: an action on a resource, within a scope.
#[derive(SimpleObject, Clone)]
pub struct Permission {
    /// Resource, e.g. `user`.
    pub resource: String,
    /// Action, e.g. `invite`.
    pub action: String,
    /// own, team, tenant or global.
    pub scope: String,
}

/// A partner API key. The secret is never shown after creation.
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    /// The key's id (`revokeApiKey` takes it).
    pub id: ID,
    /// Display name.
    pub name: String,
    /// The public prefix, to recognize the key.
    pub prefix: String,
    /// Roles the key acts with.
    pub roles: Vec<String>,
    /// Scopes narrowing the roles.
    pub scopes: Vec<String>,
    /// When it stops working; null for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last exchanged for a token; null if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<api_key::Model> for ApiKey {
    fn from(row: api_key::Model) -> Self {
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
        Self {
            id: ID(row.id.to_string()),
            name: row.name,
            prefix: row.prefix,
            roles: words(&row.roles),
            scopes: words(&row.scopes),
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
            created_at: row.created_at,
        }
    }
}

/// A new key with its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// The key's details (the secret is not among them).
    pub api_key: ApiKey,
    /// The full key to present in `X-Api-Key`. Store it now: it cannot be
    /// shown again.
    pub secret: String,
}

/// The result of provisioning.
#[derive(SimpleObject)]
pub struct ProvisionedTenant {
    /// The new tenant.
    pub tenant: Tenant,
    /// Its first admin.
    pub admin: User,
}

/// One entry of the audit log.
#[derive(SimpleObject, Clone)]
pub struct AuditEvent {
    /// The event's id.
    pub id: ID,
    /// Position in the tenant's chain.
    pub seq: i64,
    /// Who acted; null for the system.
    pub actor_id: Option<ID>,
    /// What happened.
    pub event_type: String,
    /// What it is about, e.g. `user` or `api_key`.
    pub resource_type: String,
    /// The id of what it is about, as text.
    pub resource_id: String,
    /// What changed: the event's own fields, never personal values (see `user.invited`, `user.updated`).
    pub data: async_graphql::Json<serde_json::Value>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// SHA-256 over this event and the previous hash: the chain `verifyAuditChain` checks.
    pub hash: String,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(row: audit_event::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            seq: row.seq,
            actor_id: row.actor_id.map(|a| ID(a.to_string())),
            event_type: row.event_type,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            data: async_graphql::Json(serde_json::from_str(&row.data).unwrap_or_default()),
            occurred_at: row.occurred_at,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// The result of checking the audit chain.
#[derive(SimpleObject)]
pub struct AuditChainReport {
    /// True when every link holds.
    pub valid: bool,
    /// Events checked up to and including the first broken one.
    pub checked: u64,
    /// The first broken event, if any.
    pub first_broken_event_id: Option<ID>,
    /// Its sequence number.
    pub first_broken_seq: Option<i64>,
    /// Why it is broken.
    pub reason: Option<String>,
}

/// Live figures of a tenant; this subgraph adds the user figures.
#[derive(SimpleObject)]
pub struct TenantMetrics {
    /// The tenant these figures are about (the federation key).
    pub tenant_id: ID,
    /// Users who are not deactivated.
    pub active_users: i64,
}
