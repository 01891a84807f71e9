//! Limits checked on the parsed operation before validation and planning:
//! its cost (fields with every fragment expanded), root fields, depth and
//! aliases (tokens are limited while parsing).
//!
//! Each fragment's cost is computed once and remembered, so the check is
//! linear in the document even when fragments spread each other many times
//! over (a ~1 KB document can name 2^30 fields). A fragment that spreads
//! itself counts nothing here; validation refuses the cycle.

use std::collections::{HashMap, HashSet};

use backbone_edge::config::RouterConfig;
use graphql_tools::parser::query::{Definition, Document, FragmentDefinition, Selection, SelectionSet};

use crate::error::{LimitKind, PipelineError};

type Set = SelectionSet<'static, String>;

/// Checks `doc`'s operations against the configured limits.
pub fn check(doc: &Document<'static, String>, limits: &RouterConfig) -> Result<(), PipelineError> {
    let mut walk = Walk {
        fragments: doc
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Fragment(f) => Some((f.name.as_str(), f)),
                Definition::Operation(_) => None,
            })
            .collect(),
        memo: HashMap::new(),
        open: HashSet::new(),
    };
    for def in &doc.definitions {
        let Definition::Operation(op) = def else { continue };
        let cost = walk.set(crate::operation::parts(op).selection_set);
        exceeds(LimitKind::Fields, cost.fields, limits.max_fields)?;
        exceeds(LimitKind::RootFields, cost.roots, limits.max_root_fields)?;
        exceeds(LimitKind::Depth, cost.depth, limits.max_depth)?;
    }
    let aliases = doc
        .definitions
        .iter()
        .map(|d| match d {
            Definition::Operation(op) => aliases_in(crate::operation::parts(op).selection_set),
            Definition::Fragment(f) => aliases_in(&f.selection_set),
        })
        .sum::<u64>();
    exceeds(LimitKind::Aliases, aliases, limits.max_aliases)
}

fn exceeds(limit: LimitKind, actual: u64, max: usize) -> Result<(), PipelineError> {
    if actual > max as u64 { Err(PipelineError::Limit { limit, actual: Some(actual), max }) } else { Ok(()) }
}

/// What a selection set amounts to once expanded. Counts saturate.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    /// Every field, at any depth.
    fields: u64,
    /// Fields directly in the set (through fragments, not nested).
    roots: u64,
    /// Deepest nesting of fields.
    depth: u64,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.fields = self.fields.saturating_add(other.fields);
        self.roots = self.roots.saturating_add(other.roots);
        self.depth = self.depth.max(other.depth);
    }
}

struct Walk<'d> {
    fragments: HashMap<&'d str, &'d FragmentDefinition<'static, String>>,
    memo: HashMap<&'d str, Cost>,
    /// Fragments being expanded on the current path (cycle guard).
    open: HashSet<&'d str>,
}

impl<'d> Walk<'d> {
    fn set(&mut self, set: &'d Set) -> Cost {
        let mut cost = Cost::default();
        for item in &set.items {
            cost.add(match item {
                Selection::Field(f) => {
                    let inner = self.set(&f.selection_set);
                    Cost { fields: inner.fields.saturating_add(1), roots: 1, depth: inner.depth + 1 }
                }
                Selection::InlineFragment(f) => self.set(&f.selection_set),
                Selection::FragmentSpread(s) => self.fragment(s.fragment_name.as_str()),
            });
        }
        cost
    }

    fn fragment(&mut self, name: &'d str) -> Cost {
        if let Some(cost) = self.memo.get(name) {
            return *cost;
        }
        let Some(fragment) = self.fragments.get(name).copied() else { return Cost::default() };
        if !self.open.insert(name) {
            return Cost::default();
        }
        let cost = self.set(&fragment.selection_set);
        self.open.remove(name);
        self.memo.insert(name, cost);
        cost
    }
}

fn aliases_in(set: &Set) -> u64 {
    set.items
        .iter()
        .map(|s| match s {
            Selection::Field(f) => u64::from(f.alias.is_some()) + aliases_in(&f.selection_set),
            Selection::InlineFragment(f) => aliases_in(&f.selection_set),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}
