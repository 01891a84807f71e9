//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).

use backbone_schema::roles::{AUDITOR, CLINICIAN, PARTNER, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("consent", "read", "See consents and their history (own: one's own)"),
    Permission::new(
        "consent",
        "grant",
        "Grant and withdraw consent (own: one's own; tenant: on a person's behalf)",
    ),
    Permission::new("consent", "manage", "Define consent scopes"),
    Permission::new("dsar", "create", "Ask for a data-subject request (own: about oneself)"),
    Permission::new("dsar", "read", "See data-subject requests and download packages"),
    Permission::new("dsar", "manage", "Reject data-subject requests"),
    Permission::new("retention", "manage", "Set retention rules and see purge reports"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "consent", "read", Tenant),
    Grant::new(TENANT_ADMIN, "consent", "grant", Tenant),
    Grant::new(TENANT_ADMIN, "consent", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "dsar", "create", Tenant),
    Grant::new(TENANT_ADMIN, "dsar", "read", Tenant),
    Grant::new(TENANT_ADMIN, "dsar", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "retention", "manage", Tenant),
    Grant::new(CLINICIAN, "consent", "read", Tenant),
    Grant::new(CLINICIAN, "consent", "grant", Own),
    Grant::new(CLINICIAN, "dsar", "create", Own),
    Grant::new(CLINICIAN, "dsar", "read", Own),
    Grant::new(STAFF, "consent", "read", Tenant),
    Grant::new(STAFF, "consent", "grant", Own),
    Grant::new(STAFF, "dsar", "create", Own),
    Grant::new(STAFF, "dsar", "read", Own),
    Grant::new(PATIENT, "consent", "read", Own),
    Grant::new(PATIENT, "consent", "grant", Own),
    Grant::new(PATIENT, "dsar", "create", Own),
    Grant::new(PATIENT, "dsar", "read", Own),
    Grant::new(PARTNER, "consent", "read", Tenant),
    Grant::new(AUDITOR, "consent", "read", Tenant),
    Grant::new(AUDITOR, "dsar", "read", Tenant),
];
