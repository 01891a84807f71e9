//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{AUDITOR, CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("complaint", "create", "File complaints"),
    Permission::new("complaint", "read", "See complaints (own: those one filed)"),
    Permission::new("complaint", "update", "Change status, comment, add internal notes"),
    Permission::new("complaint", "assign", "Assign complaints"),
    Permission::new("complaint", "manage", "Set up teams, routing, calendars and SLA policies"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "complaint", "create", Own),
    Grant::new(TENANT_ADMIN, "complaint", "read", Tenant),
    Grant::new(TENANT_ADMIN, "complaint", "update", Tenant),
    Grant::new(TENANT_ADMIN, "complaint", "assign", Tenant),
    Grant::new(TENANT_ADMIN, "complaint", "manage", Tenant),
    Grant::new(STAFF, "complaint", "create", Own),
    Grant::new(STAFF, "complaint", "read", Tenant),
    Grant::new(STAFF, "complaint", "update", Tenant),
    Grant::new(STAFF, "complaint", "assign", Tenant),
    Grant::new(CLINICIAN, "complaint", "create", Own),
    Grant::new(CLINICIAN, "complaint", "read", Own),
    Grant::new(PATIENT, "complaint", "create", Own),
    Grant::new(PATIENT, "complaint", "read", Own),
    Grant::new(AUDITOR, "complaint", "read", Tenant),
];
