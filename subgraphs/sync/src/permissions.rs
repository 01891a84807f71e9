//! The permissions this subgraph checks and what each default role gets
//! in a new tenant.
//!
//! `Own` means: for `sync_event:record`, events about oneself or the
//! people one is assigned to; for `sync_device:enroll`, one's own devices;
//! for `sync_event:read`, events one recorded or that are about oneself.

use backbone_schema::roles::{AUDITOR, CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("sync_event_type", "manage", "Register event types and their JSON Schemas"),
    Permission::new("sync_event_type", "read", "See the registered event types"),
    Permission::new("sync_device", "enroll", "Enroll and revoke devices (own: one's own)"),
    Permission::new("sync_device", "read", "See enrolled devices (own: one's own)"),
    Permission::new("sync_assignment", "manage", "Assign the people a health worker records for"),
    Permission::new(
        "sync_event",
        "record",
        "Upload events from an enrolled device (own: about oneself or one's assigned people)",
    ),
    Permission::new("sync_event", "read", "See synced events and records (own: one's own)"),
    Permission::new("sync_quarantine", "manage", "See, fix and replay, or discard quarantined events"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "sync_event_type", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "sync_event_type", "read", Tenant),
    Grant::new(TENANT_ADMIN, "sync_device", "enroll", Tenant),
    Grant::new(TENANT_ADMIN, "sync_device", "read", Tenant),
    Grant::new(TENANT_ADMIN, "sync_assignment", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "sync_event", "record", Tenant),
    Grant::new(TENANT_ADMIN, "sync_event", "read", Tenant),
    Grant::new(TENANT_ADMIN, "sync_quarantine", "manage", Tenant),
    Grant::new(STAFF, "sync_event_type", "read", Tenant),
    Grant::new(STAFF, "sync_device", "enroll", Own),
    Grant::new(STAFF, "sync_device", "read", Own),
    Grant::new(STAFF, "sync_event", "record", Own),
    Grant::new(STAFF, "sync_event", "read", Own),
    Grant::new(CLINICIAN, "sync_event_type", "read", Tenant),
    Grant::new(CLINICIAN, "sync_device", "enroll", Own),
    Grant::new(CLINICIAN, "sync_device", "read", Own),
    Grant::new(CLINICIAN, "sync_event", "record", Own),
    Grant::new(CLINICIAN, "sync_event", "read", Own),
    Grant::new(PATIENT, "sync_event_type", "read", Tenant),
    Grant::new(PATIENT, "sync_device", "enroll", Own),
    Grant::new(PATIENT, "sync_device", "read", Own),
    Grant::new(PATIENT, "sync_event", "record", Own),
    Grant::new(PATIENT, "sync_event", "read", Own),
    Grant::new(AUDITOR, "sync_event_type", "read", Tenant),
    Grant::new(AUDITOR, "sync_device", "read", Tenant),
    Grant::new(AUDITOR, "sync_event", "read", Tenant),
];
