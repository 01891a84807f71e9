//! Every subgraph this binary serves, in one list. Dev mode,
//! `backbone subgraph NAME`, `backbone compose` and the tests read it, so a
//! new subgraph is one line here (docs/design.md, "Adding a subgraph").

use subgraph_kit::subgraph::AnySubgraph;

/// Every subgraph, in dev-mode port order (router + 1, + 2, …).
pub static ALL: [&dyn AnySubgraph; 6] = [
    &subgraph_tenants::Tenants,
    &subgraph_complaints::Complaints,
    &subgraph_notifications::Notifications,
    &subgraph_consent::Consent,
    &subgraph_ai::Ai,
    &subgraph_memory::Memory,
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
