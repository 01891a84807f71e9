//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).
//!
//! `Own` means: appointments one is the patient of, and for a person
//! resource (a clinician) the appointments that reserve them.

use backbone_schema::roles::{AUDITOR, CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new(
        "appointment",
        "book",
        "Book, hold, reschedule and cancel appointments (own: for oneself)",
    ),
    Permission::new("appointment", "read", "See appointments (own: one's own and one's schedule)"),
    Permission::new(
        "appointment",
        "manage",
        "Move appointments through their lifecycle, confirm requests, override cancellation windows",
    ),
    Permission::new("schedule", "manage", "Set up resources, services, working hours, time off and holidays"),
    Permission::new("schedule", "read", "See resources and services"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "appointment", "book", Tenant),
    Grant::new(TENANT_ADMIN, "appointment", "read", Tenant),
    Grant::new(TENANT_ADMIN, "appointment", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "schedule", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "schedule", "read", Tenant),
    Grant::new(STAFF, "appointment", "book", Tenant),
    Grant::new(STAFF, "appointment", "read", Tenant),
    Grant::new(STAFF, "appointment", "manage", Tenant),
    Grant::new(STAFF, "schedule", "read", Tenant),
    Grant::new(CLINICIAN, "appointment", "book", Own),
    Grant::new(CLINICIAN, "appointment", "read", Own),
    Grant::new(CLINICIAN, "appointment", "manage", Own),
    Grant::new(CLINICIAN, "schedule", "read", Tenant),
    Grant::new(PATIENT, "appointment", "book", Own),
    Grant::new(PATIENT, "appointment", "read", Own),
    Grant::new(PATIENT, "schedule", "read", Tenant),
    Grant::new(AUDITOR, "appointment", "read", Tenant),
    Grant::new(AUDITOR, "schedule", "read", Tenant),
];
