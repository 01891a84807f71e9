//! The permission catalog: what each subgraph declares it checks
//! ([`crate::subgraph::Subgraph::PERMISSIONS`]) and what each default
//! tenant role gets ([`crate::subgraph::Subgraph::DEFAULT_GRANTS`]),
//! gathered at start from every subgraph of the deployment.
//!
//! Provisioning a tenant writes the catalog into its roles; a tenant admin
//! may later change them. The kit declares no permission of its own.

use super::Scope;

/// One permission a subgraph checks, `resource:action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// What it is about (`complaint`).
    pub resource: &'static str,
    /// What it allows (`assign`).
    pub action: &'static str,
    /// What it allows, for the people who hand out roles.
    pub description: &'static str,
}

impl Permission {
    /// `resource:action`, described.
    pub const fn new(resource: &'static str, action: &'static str, description: &'static str) -> Self {
        Self { resource, action, description }
    }
}

/// A permission a default role gets in every new tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// A role of `backbone_schema::roles`.
    pub role: &'static str,
    /// The permission's resource.
    pub resource: &'static str,
    /// The permission's action.
    pub action: &'static str,
    /// How far it reaches.
    pub scope: Scope,
}

impl Grant {
    /// `role` may `resource:action` within `scope`.
    pub const fn new(role: &'static str, resource: &'static str, action: &'static str, scope: Scope) -> Self {
        Self { role, resource, action, scope }
    }
}

/// Every permission and default grant of a deployment.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Each permission once.
    pub permissions: Vec<Permission>,
    /// Default grants, in declaration order.
    pub grants: Vec<Grant>,
}

impl Catalog {
    /// Adds one subgraph's declarations.
    #[must_use]
    pub fn with(mut self, permissions: &[Permission], grants: &[Grant]) -> Self {
        self.permissions.extend_from_slice(permissions);
        self.grants.extend_from_slice(grants);
        self
    }

    /// Checks that no permission is declared twice and that every grant
    /// names a declared permission.
    pub fn check(&self) -> Result<(), String> {
        for (i, p) in self.permissions.iter().enumerate() {
            if self.permissions[..i].iter().any(|q| (q.resource, q.action) == (p.resource, p.action)) {
                return Err(format!("permission {}:{} is declared twice", p.resource, p.action));
            }
        }
        for g in &self.grants {
            if !self.permissions.iter().any(|p| (p.resource, p.action) == (g.resource, g.action)) {
                return Err(format!(
                    "{} is granted {}:{}, which no subgraph declares",
                    g.role, g.resource, g.action
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_of_an_undeclared_permission_and_a_duplicate_are_refused() {
        const READ: Permission = Permission::new("note", "read", "Read notes");
        let ok = Catalog::default().with(&[READ], &[Grant::new("staff", "note", "read", Scope::Own)]);
        assert_eq!(ok.check(), Ok(()));

        let stray = ok.clone().with(&[], &[Grant::new("staff", "note", "write", Scope::Own)]);
        assert!(stray.check().expect_err("refused").contains("note:write"));

        let twice = ok.with(&[READ], &[]);
        assert!(twice.check().expect_err("refused").contains("declared twice"));
    }
}
