//! The permission catalog and the default grants of each tenant role.
//!
//! Provisioning a tenant writes these into its roles; a tenant admin may
//! later change them. Each domain adds its resources here so every tenant
//! gets a complete, reviewed starting point.

use backbone_schema::roles::{AUDITOR, CLINICIAN, PARTNER, PATIENT, STAFF, TENANT_ADMIN};

/// Every permission `(resource, action, description)`.
pub const PERMISSIONS: &[(&str, &str, &str)] = &[
    ("tenant", "read", "See the tenant's settings"),
    ("tenant", "update", "Change the tenant's settings"),
    ("user", "read", "See users"),
    ("user", "invite", "Invite users"),
    ("user", "update", "Change users' profiles"),
    ("user", "deactivate", "Deactivate users"),
    ("role", "read", "See roles and assignments"),
    ("role", "assign", "Assign and revoke roles"),
    ("api_key", "read", "See API keys"),
    ("api_key", "create", "Create API keys"),
    ("api_key", "revoke", "Revoke API keys"),
    ("audit", "read", "Read the audit log"),
    ("usage", "read", "See usage against limits"),
    ("complaint", "create", "File complaints"),
    ("complaint", "read", "See complaints (own: those one filed)"),
    ("complaint", "update", "Change status, comment, add internal notes"),
    ("complaint", "assign", "Assign complaints"),
    ("complaint", "manage", "Set up teams, routing, calendars and SLA policies"),
    ("notification", "read", "Read and mark one's notifications, set preferences"),
    ("notification", "manage", "Manage tenant templates and tenant-wide endpoints"),
    ("metrics", "read", "See live tenant metrics"),
    ("consent", "read", "See consents and their history (own: one's own)"),
    ("consent", "grant", "Grant and withdraw consent (own: one's own; tenant: on a person's behalf)"),
    ("consent", "manage", "Define consent scopes"),
    ("dsar", "create", "Ask for a data-subject request (own: about oneself)"),
    ("dsar", "read", "See data-subject requests and download packages"),
    ("dsar", "manage", "Reject data-subject requests"),
    ("retention", "manage", "Set retention rules and see purge reports"),
    ("ai", "use", "Run prompt templates"),
    ("ai", "read", "See AI usage and the request log (own: one's own calls)"),
    ("ai", "manage", "Write prompt templates, budgets and AI settings"),
    ("memory", "write", "Remember and forget (own memories)"),
    ("memory", "read", "Recall (own memories)"),
];

/// Default grants `(role, resource, action, scope)`.
pub const DEFAULT_GRANTS: &[(&str, &str, &str, &str)] = &[
    (TENANT_ADMIN, "tenant", "read", "tenant"),
    (TENANT_ADMIN, "tenant", "update", "tenant"),
    (TENANT_ADMIN, "user", "read", "tenant"),
    (TENANT_ADMIN, "user", "invite", "tenant"),
    (TENANT_ADMIN, "user", "update", "tenant"),
    (TENANT_ADMIN, "user", "deactivate", "tenant"),
    (TENANT_ADMIN, "role", "read", "tenant"),
    (TENANT_ADMIN, "role", "assign", "tenant"),
    (TENANT_ADMIN, "api_key", "read", "tenant"),
    (TENANT_ADMIN, "api_key", "create", "tenant"),
    (TENANT_ADMIN, "api_key", "revoke", "tenant"),
    (TENANT_ADMIN, "audit", "read", "tenant"),
    (TENANT_ADMIN, "usage", "read", "tenant"),
    (CLINICIAN, "tenant", "read", "tenant"),
    (CLINICIAN, "user", "read", "tenant"),
    (CLINICIAN, "user", "update", "own"),
    (STAFF, "tenant", "read", "tenant"),
    (STAFF, "user", "read", "tenant"),
    (STAFF, "user", "update", "own"),
    (PATIENT, "tenant", "read", "tenant"),
    (PATIENT, "user", "read", "own"),
    (PATIENT, "user", "update", "own"),
    (PARTNER, "tenant", "read", "tenant"),
    (PARTNER, "user", "read", "tenant"),
    (AUDITOR, "tenant", "read", "tenant"),
    (AUDITOR, "user", "read", "tenant"),
    (AUDITOR, "role", "read", "tenant"),
    (AUDITOR, "api_key", "read", "tenant"),
    (AUDITOR, "audit", "read", "tenant"),
    (AUDITOR, "usage", "read", "tenant"),
    (TENANT_ADMIN, "complaint", "create", "own"),
    (TENANT_ADMIN, "complaint", "read", "tenant"),
    (TENANT_ADMIN, "complaint", "update", "tenant"),
    (TENANT_ADMIN, "complaint", "assign", "tenant"),
    (TENANT_ADMIN, "complaint", "manage", "tenant"),
    (TENANT_ADMIN, "notification", "read", "own"),
    (TENANT_ADMIN, "notification", "manage", "tenant"),
    (TENANT_ADMIN, "metrics", "read", "tenant"),
    (STAFF, "complaint", "create", "own"),
    (STAFF, "complaint", "read", "tenant"),
    (STAFF, "complaint", "update", "tenant"),
    (STAFF, "complaint", "assign", "tenant"),
    (STAFF, "notification", "read", "own"),
    (STAFF, "metrics", "read", "tenant"),
    (CLINICIAN, "complaint", "create", "own"),
    (CLINICIAN, "complaint", "read", "own"),
    (CLINICIAN, "notification", "read", "own"),
    (PATIENT, "complaint", "create", "own"),
    (PATIENT, "complaint", "read", "own"),
    (PATIENT, "notification", "read", "own"),
    (AUDITOR, "complaint", "read", "tenant"),
    (AUDITOR, "metrics", "read", "tenant"),
    (TENANT_ADMIN, "consent", "read", "tenant"),
    (TENANT_ADMIN, "consent", "grant", "tenant"),
    (TENANT_ADMIN, "consent", "manage", "tenant"),
    (TENANT_ADMIN, "dsar", "create", "tenant"),
    (TENANT_ADMIN, "dsar", "read", "tenant"),
    (TENANT_ADMIN, "dsar", "manage", "tenant"),
    (TENANT_ADMIN, "retention", "manage", "tenant"),
    (TENANT_ADMIN, "ai", "use", "own"),
    (TENANT_ADMIN, "ai", "read", "tenant"),
    (TENANT_ADMIN, "ai", "manage", "tenant"),
    (TENANT_ADMIN, "memory", "write", "own"),
    (TENANT_ADMIN, "memory", "read", "own"),
    (CLINICIAN, "consent", "read", "tenant"),
    (CLINICIAN, "consent", "grant", "own"),
    (CLINICIAN, "dsar", "create", "own"),
    (CLINICIAN, "dsar", "read", "own"),
    (CLINICIAN, "ai", "use", "own"),
    (CLINICIAN, "ai", "read", "own"),
    (CLINICIAN, "memory", "write", "own"),
    (CLINICIAN, "memory", "read", "own"),
    (STAFF, "consent", "read", "tenant"),
    (STAFF, "consent", "grant", "own"),
    (STAFF, "dsar", "create", "own"),
    (STAFF, "dsar", "read", "own"),
    (STAFF, "ai", "use", "own"),
    (STAFF, "ai", "read", "own"),
    (STAFF, "memory", "write", "own"),
    (STAFF, "memory", "read", "own"),
    (PATIENT, "consent", "read", "own"),
    (PATIENT, "consent", "grant", "own"),
    (PATIENT, "dsar", "create", "own"),
    (PATIENT, "dsar", "read", "own"),
    (PATIENT, "ai", "use", "own"),
    (PATIENT, "ai", "read", "own"),
    (PATIENT, "memory", "write", "own"),
    (PATIENT, "memory", "read", "own"),
    (PARTNER, "consent", "read", "tenant"),
    (PARTNER, "ai", "use", "own"),
    (AUDITOR, "consent", "read", "tenant"),
    (AUDITOR, "dsar", "read", "tenant"),
    (AUDITOR, "ai", "read", "tenant"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_grant_names_a_catalog_permission_and_a_valid_scope() {
        for (role, resource, action, scope) in DEFAULT_GRANTS {
            assert!(
                PERMISSIONS.iter().any(|(r, a, _)| r == resource && a == action),
                "{role}: {resource}:{action} not in catalog"
            );
            assert!(super::super::Scope::parse(scope).is_some(), "{scope}");
            assert_ne!(role_description(role), "Custom role");
        }
    }
}
