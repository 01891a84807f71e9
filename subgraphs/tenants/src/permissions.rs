//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{AUDITOR, CLINICIAN, PARTNER, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("tenant", "read", "See the tenant's settings"),
    Permission::new("tenant", "update", "Change the tenant's settings"),
    Permission::new("user", "read", "See users"),
    Permission::new("user", "invite", "Invite users"),
    Permission::new("user", "update", "Change users' profiles"),
    Permission::new("user", "deactivate", "Deactivate users"),
    Permission::new("role", "read", "See roles and assignments"),
    Permission::new("role", "assign", "Assign and revoke roles"),
    Permission::new("api_key", "read", "See API keys"),
    Permission::new("api_key", "create", "Create API keys"),
    Permission::new("api_key", "revoke", "Revoke API keys"),
    Permission::new("audit", "read", "Read the audit log"),
    Permission::new("usage", "read", "See usage against limits"),
    Permission::new("metrics", "read", "See live tenant metrics"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "tenant", "read", Tenant),
    Grant::new(TENANT_ADMIN, "tenant", "update", Tenant),
    Grant::new(TENANT_ADMIN, "user", "read", Tenant),
    Grant::new(TENANT_ADMIN, "user", "invite", Tenant),
    Grant::new(TENANT_ADMIN, "user", "update", Tenant),
    Grant::new(TENANT_ADMIN, "user", "deactivate", Tenant),
    Grant::new(TENANT_ADMIN, "role", "read", Tenant),
    Grant::new(TENANT_ADMIN, "role", "assign", Tenant),
    Grant::new(TENANT_ADMIN, "api_key", "read", Tenant),
    Grant::new(TENANT_ADMIN, "api_key", "create", Tenant),
    Grant::new(TENANT_ADMIN, "api_key", "revoke", Tenant),
    Grant::new(TENANT_ADMIN, "audit", "read", Tenant),
    Grant::new(TENANT_ADMIN, "usage", "read", Tenant),
    Grant::new(CLINICIAN, "tenant", "read", Tenant),
    Grant::new(CLINICIAN, "user", "read", Tenant),
    Grant::new(CLINICIAN, "user", "update", Own),
    Grant::new(STAFF, "tenant", "read", Tenant),
    Grant::new(STAFF, "user", "read", Tenant),
    Grant::new(STAFF, "user", "update", Own),
    Grant::new(PATIENT, "tenant", "read", Tenant),
    Grant::new(PATIENT, "user", "read", Own),
    Grant::new(PATIENT, "user", "update", Own),
    Grant::new(PARTNER, "tenant", "read", Tenant),
    Grant::new(PARTNER, "user", "read", Tenant),
    Grant::new(AUDITOR, "tenant", "read", Tenant),
    Grant::new(AUDITOR, "user", "read", Tenant),
    Grant::new(AUDITOR, "role", "read", Tenant),
    Grant::new(AUDITOR, "api_key", "read", Tenant),
    Grant::new(AUDITOR, "audit", "read", Tenant),
    Grant::new(AUDITOR, "usage", "read", Tenant),
    Grant::new(TENANT_ADMIN, "metrics", "read", Tenant),
    Grant::new(STAFF, "metrics", "read", Tenant),
    Grant::new(AUDITOR, "metrics", "read", Tenant),
];

/// What each default role is for.
pub fn role_description(role: &str) -> &'static str {
    match role {
        TENANT_ADMIN => "Administers the tenant: users, roles, keys, audit",
        CLINICIAN => "Works with persons' data in care or teaching",
        STAFF => "Handles day-to-day operations",
        PATIENT => "Acts on their own data only",
        PARTNER => "Integration partner, usually behind an API key",
        AUDITOR => "Reads the audit log and usage, changes nothing",
        _ => "Custom role",
    }
}
