//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("notification", "read", "Read and mark one's notifications, set preferences"),
    Permission::new("notification", "manage", "Manage tenant templates and tenant-wide endpoints"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "notification", "read", Own),
    Grant::new(TENANT_ADMIN, "notification", "manage", Tenant),
    Grant::new(STAFF, "notification", "read", Own),
    Grant::new(CLINICIAN, "notification", "read", Own),
    Grant::new(PATIENT, "notification", "read", Own),
];
