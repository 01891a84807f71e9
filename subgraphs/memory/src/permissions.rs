//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::Own,
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("memory", "write", "Remember and forget (own memories)"),
    Permission::new("memory", "read", "Recall (own memories)"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "memory", "write", Own),
    Grant::new(TENANT_ADMIN, "memory", "read", Own),
    Grant::new(CLINICIAN, "memory", "write", Own),
    Grant::new(CLINICIAN, "memory", "read", Own),
    Grant::new(STAFF, "memory", "write", Own),
    Grant::new(STAFF, "memory", "read", Own),
    Grant::new(PATIENT, "memory", "write", Own),
    Grant::new(PATIENT, "memory", "read", Own),
];
