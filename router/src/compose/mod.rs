//! Our Federation composer: subgraph SDLs in, an Apollo supergraph SDL
//! (link v1.0, join v0.3) out.
//!
//! It reads Federation v1 subgraphs (plain directive names, `extend type`)
//! and v2 subgraphs (`@link(import: …)`, with renames, and the
//! `@federation__`-prefixed forms), merges their types, checks the rules that
//! make a graph executable (field types agree, a field resolved by several
//! subgraphs is shareable (key fields, nested ones included, are), interface
//! objects have an interface), and writes the `@join__*` directives the
//! planner reads. Errors name the subgraph, the type and the field. Where
//! Apollo's composer only hints (an `@override` naming a subgraph that is
//! not there), so do we, in the log.

mod emit;
mod inputs;
mod keys;
mod merge;
mod subgraph;
mod subtypes;

use std::fmt;

/// One subgraph's SDL and where it is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphSdl {
    /// Subgraph name, e.g. `tenants`.
    pub name: String,
    /// Its GraphQL endpoint.
    pub url: String,
    /// Its SDL as `_service { sdl }` returns it.
    pub sdl: String,
}

/// One composition problem, located as precisely as known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositionError {
    /// The subgraph(s) involved.
    pub subgraph: Option<String>,
    /// The type involved.
    pub type_name: Option<String>,
    /// The field involved.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CompositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.subgraph {
            write!(f, "[{s}] ")?;
        }
        match (&self.type_name, &self.field) {
            (Some(t), Some(fl)) => write!(f, "{t}.{fl}: ")?,
            (Some(t), None) => write!(f, "{t}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// Every problem found; composition reports them all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CompositionErrors(pub Vec<CompositionError>);

impl fmt::Display for CompositionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "composition failed with {} error(s):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

/// Composes subgraphs into a supergraph SDL.
pub fn compose(subgraphs: &[SubgraphSdl]) -> Result<String, CompositionErrors> {
    if subgraphs.is_empty() {
        return Err(CompositionErrors(vec![CompositionError {
            subgraph: None,
            type_name: None,
            field: None,
            message: "no subgraphs to compose".into(),
        }]));
    }
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for s in subgraphs {
        match subgraph::parse(s) {
            Ok(p) => parsed.push(p),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(CompositionErrors(errors));
    }
    let graph = merge::merge(&parsed).map_err(CompositionErrors)?;
    Ok(emit::emit(&graph, &parsed))
}

#[cfg(test)]
mod tests;
