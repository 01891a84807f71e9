//! Every subgraph this binary serves, in one list. Dev mode,
//! `backbone subgraph NAME`, `backbone compose` and the tests read it, so a
//! new subgraph is one line here (docs/design.md, "Adding a subgraph").

use subgraph_kit::{
    config::{Config, ConfigError},
    rbac::catalog::Catalog,
    subgraph::AnySubgraph,
};

/// Every subgraph, in dev-mode port order (router + 1, + 2, …).
pub static ALL: [&dyn AnySubgraph; 10] = [
    &subgraph_tenants::Tenants,
    &subgraph_complaints::Complaints,
    &subgraph_notifications::Notifications,
    &subgraph_consent::Consent,
    &subgraph_ai::Ai,
    &subgraph_memory::Memory,
    &subgraph_scheduling::Scheduling,
    &subgraph_billing::Billing,
    &subgraph_documents::Documents,
    &subgraph_sync::SyncSubgraph,
];

/// The consent subgraph's name (the AI and memory subgraphs call it).
pub const CONSENT: &str = subgraph_consent::NAME;

/// The subgraph called `name`.
pub fn find(name: &str) -> Option<&'static dyn AnySubgraph> {
    ALL.iter().copied().find(|s| s.name() == name)
}

/// Every subgraph's name, in [`ALL`]'s order.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|s| s.name()).collect()
}

/// The permissions and default grants of every subgraph: what a new
/// tenant's roles get.
pub fn catalog() -> Catalog {
    ALL.iter().fold(Catalog::default(), |catalog, s| s.declare(catalog))
}

/// Checks every subgraph's table of `config`, and that no top-level key is
/// a table no subgraph owns.
pub fn check_config(config: &Config) -> Result<(), ConfigError> {
    config.sections.check_known(&names())?;
    ALL.iter().try_for_each(|s| s.check_config(config))
}

/// Loads the configuration (`path`, else `./backbone.toml`, then the
/// environment) and checks it against every subgraph.
pub fn load_config(path: Option<&std::path::Path>) -> Result<Config, ConfigError> {
    let config = Config::load(path)?;
    check_config(&config)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_declares_each_permission_once_and_grants_only_declared_ones_to_default_roles() {
        let catalog = catalog();
        assert_eq!(catalog.check(), Ok(()));
        for grant in &catalog.grants {
            assert!(
                backbone_schema::roles::DEFAULT_TENANT_ROLES.contains(&grant.role),
                "{} is not a default tenant role",
                grant.role
            );
        }
        for subgraph in ALL {
            let declared = subgraph.declare(Catalog::default());
            assert!(
                declared.grants.iter().all(|g| declared.permissions.iter().any(|p| p.resource == g.resource)),
                "{} grants only permissions of its own resources",
                subgraph.name()
            );
        }
    }
}
