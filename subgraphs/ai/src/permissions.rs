//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{AUDITOR, CLINICIAN, PARTNER, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("ai", "use", "Run prompt templates"),
    Permission::new("ai", "read", "See AI usage and the request log (own: one's own calls)"),
    Permission::new("ai", "manage", "Write prompt templates, budgets and AI settings"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "ai", "use", Own),
    Grant::new(TENANT_ADMIN, "ai", "read", Tenant),
    Grant::new(TENANT_ADMIN, "ai", "manage", Tenant),
    Grant::new(CLINICIAN, "ai", "use", Own),
    Grant::new(CLINICIAN, "ai", "read", Own),
    Grant::new(STAFF, "ai", "use", Own),
    Grant::new(STAFF, "ai", "read", Own),
    Grant::new(PATIENT, "ai", "use", Own),
    Grant::new(PATIENT, "ai", "read", Own),
    Grant::new(PARTNER, "ai", "use", Own),
    Grant::new(AUDITOR, "ai", "read", Tenant),
];
