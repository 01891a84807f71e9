//! The permissions this subgraph checks and what each default role gets
//! in a new tenant (gathered into the deployment's catalog at start).
//!
//! `Own` means: documents one is the subject or the creator of.

use backbone_schema::roles::{AUDITOR, CLINICIAN, PATIENT, STAFF, TENANT_ADMIN};
use subgraph_kit::rbac::{
    Scope::{Own, Tenant},
    catalog::{Grant, Permission},
};

/// Every permission this subgraph checks.
pub const PERMISSIONS: &[Permission] = &[
    Permission::new("document_template", "manage", "Write document templates (each save is a new version)"),
    Permission::new("document_template", "read", "See document templates"),
    Permission::new("document", "create", "Generate documents from templates and upload PDFs"),
    Permission::new(
        "document",
        "read",
        "See documents and download them (own: those one is the subject or creator of)",
    ),
    Permission::new(
        "document",
        "manage",
        "Revise, send for signature, remind and void documents (own: those one created)",
    ),
    Permission::new("document", "sign", "Sign or decline documents one is asked to sign"),
    Permission::new("prescription", "issue", "Issue prescriptions, signed as oneself"),
];

/// Default grants of the tenant roles.
pub const DEFAULT_GRANTS: &[Grant] = &[
    Grant::new(TENANT_ADMIN, "document_template", "manage", Tenant),
    Grant::new(TENANT_ADMIN, "document_template", "read", Tenant),
    Grant::new(TENANT_ADMIN, "document", "create", Tenant),
    Grant::new(TENANT_ADMIN, "document", "read", Tenant),
    Grant::new(TENANT_ADMIN, "document", "manage", Tenant),
    Grant::new(STAFF, "document_template", "read", Tenant),
    Grant::new(STAFF, "document", "create", Tenant),
    Grant::new(STAFF, "document", "read", Tenant),
    Grant::new(STAFF, "document", "manage", Tenant),
    Grant::new(CLINICIAN, "document_template", "read", Tenant),
    Grant::new(CLINICIAN, "document", "create", Tenant),
    Grant::new(CLINICIAN, "document", "read", Own),
    Grant::new(CLINICIAN, "document", "manage", Own),
    Grant::new(CLINICIAN, "prescription", "issue", Tenant),
    Grant::new(PATIENT, "document", "read", Own),
    Grant::new(TENANT_ADMIN, "document", "sign", Own),
    Grant::new(STAFF, "document", "sign", Own),
    Grant::new(CLINICIAN, "document", "sign", Own),
    Grant::new(PATIENT, "document", "sign", Own),
    Grant::new(AUDITOR, "document_template", "read", Tenant),
    Grant::new(AUDITOR, "document", "read", Tenant),
];
