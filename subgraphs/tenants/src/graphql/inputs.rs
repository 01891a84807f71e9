//! Input types. Lengths and shapes are validated in the domain, so every
//! entry point (GraphQL today, REST later) gets the same rules.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use super::objects::{SubscriptionTier, TenantType, UserStatus};

/// A new tenant and its first admin.
#[derive(InputObject)]
pub struct ProvisionTenantInput {
    /// Display name (1–200 characters).
    pub name: String,
    /// Kind of organization.
    #[graphql(name = "type")]
    pub kind: TenantType,
    /// Subscription tier.
    #[graphql(default_with = "SubscriptionTier::Free")]
    pub tier: SubscriptionTier,
    /// User limit (at least 1).
    #[graphql(default = 25)]
    pub max_users: i32,
    /// AI token budget per period.
    #[graphql(default = 0)]
    pub ai_token_budget: i64,
    /// The tenant's first admin, created active with the `tenant_admin` role.
    pub admin: AdminInput,
}

/// The first admin of a new tenant.
#[derive(InputObject)]
pub struct AdminInput {
    /// The admin's email; unique within the tenant.
    pub email: String,
    /// Display name.
    pub display_name: String,
}

/// Changes to a tenant; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateTenantInput {
    /// A new name (1 to 200 characters).
    pub name: Option<String>,
    /// New tier (platform admins only).
    pub tier: Option<SubscriptionTier>,
    /// New user limit (platform admins only).
    pub max_users: Option<i32>,
    /// New AI token budget (platform admins only).
    pub ai_token_budget: Option<i64>,
    /// Activate or deactivate (platform admins only).
    pub active: Option<bool>,
}

/// An invitation.
#[derive(InputObject)]
pub struct InviteUserInput {
    /// Email, unique within the tenant.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Roles to assign at once (needs `role:assign`).
    #[graphql(default)]
    pub roles: Vec<String>,
}

/// Changes to a user; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// A new display name (1 to 200 characters).
    pub display_name: Option<String>,
    /// A new email, unique in the tenant.
    pub email: Option<String>,
}

/// Filters for `users`.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Only users in this status.
    pub status: Option<UserStatus>,
    /// Only holders of this role.
    pub role: Option<String>,
    /// Substring of email or display name.
    pub search: Option<String>,
}

/// A role assignment.
#[derive(InputObject)]
pub struct AssignRoleInput {
    /// The user, in the caller's tenant.
    pub user_id: ID,
    /// The role's name, e.g. `clinician`.
    pub role: String,
    /// When it stops granting; omit for never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Display name.
    pub name: String,
    /// Roles the key acts with (at least one).
    pub roles: Vec<String>,
    /// Scopes narrowing the roles: `resource:action`, `resource:*` or `*`.
    #[graphql(default)]
    pub scopes: Vec<String>,
    /// When it stops working; omit for never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Filters for `auditEvents`; combined with AND.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// Only events this user caused.
    pub actor_id: Option<ID>,
    /// Event type, e.g. `user.invited`.
    pub event_type: Option<String>,
    /// Resource kind, e.g. `user`.
    pub resource_type: Option<String>,
    /// Only events about this resource (its id as text).
    pub resource_id: Option<String>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
}
