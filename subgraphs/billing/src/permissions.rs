//! The permissions this subgraph checks and what each default role gets
//! in a new tenant. The catalogue is the platform operator's: writing it
//! needs a `platform_admin` caller, not a tenant grant.

use backbone_schema::roles::{AUDITOR, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::Tenant,
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("billing", "read", "See the plan catalogue and the tenant's own billing (read-only)"),
    Permission::new(
        "billing",
        "record_usage",
        "Report a product's usage events for the tenant's metered billing",
    ),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "billing", "read", Tenant),
    Grant::new(TENANT_ADMIN, "billing", "record_usage", Tenant),
    Grant::new(AUDITOR, "billing", "read", Tenant),
];
