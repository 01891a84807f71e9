//! Limits checked on the parsed operation before planning: depth, aliases
//! and root fields (tokens are limited while parsing). Fragments are
//! followed, each at most once per path, so cycles cannot loop.

use std::collections::{HashMap, HashSet};

use graphql_tools::parser::query::{Definition, Document, FragmentDefinition, Selection, SelectionSet};
use subgraph_kit::config::RouterConfig;

use crate::error::RequestError;

type Fragments<'d> = HashMap<&'d str, &'d FragmentDefinition<'static, String>>;

/// Checks `doc`'s operations against the configured limits.
pub fn check(doc: &Document<'static, String>, limits: &RouterConfig) -> Result<(), RequestError> {
    let fragments: Fragments<'_> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some((f.name.as_str(), f)),
            Definition::Operation(_) => None,
        })
        .collect();
    for def in &doc.definitions {
        let Definition::Operation(op) = def else { continue };
        let set = crate::operation::parts(op).selection_set;
        let roots = count_fields(set, &fragments, &mut HashSet::new());
        if roots > limits.max_root_fields {
            return Err(RequestError::Limit {
                limit: "root fields",
                actual: Some(roots),
                max: limits.max_root_fields,
            });
        }
        let depth = depth(set, &fragments, &mut Vec::new());
        if depth > limits.max_depth {
            return Err(RequestError::Limit { limit: "depth", actual: Some(depth), max: limits.max_depth });
        }
    }
    let aliases = doc
        .definitions
        .iter()
        .map(|d| match d {
            Definition::Operation(op) => aliases_in(crate::operation::parts(op).selection_set),
            Definition::Fragment(f) => aliases_in(&f.selection_set),
        })
        .sum::<usize>();
    if aliases > limits.max_aliases {
        return Err(RequestError::Limit { limit: "aliases", actual: Some(aliases), max: limits.max_aliases });
    }
    Ok(())
}

fn count_fields<'d>(
    set: &'d SelectionSet<'static, String>,
    fragments: &Fragments<'d>,
    seen: &mut HashSet<&'d str>,
) -> usize {
    set.items
        .iter()
        .map(|s| match s {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => count_fields(&f.selection_set, fragments, seen),
            Selection::FragmentSpread(s) => match fragments.get(s.fragment_name.as_str()) {
                Some(f) if seen.insert(f.name.as_str()) => count_fields(&f.selection_set, fragments, seen),
                _ => 0,
            },
        })
        .sum()
}

fn depth<'d>(
    set: &'d SelectionSet<'static, String>,
    fragments: &Fragments<'d>,
    stack: &mut Vec<&'d str>,
) -> usize {
    set.items
        .iter()
        .map(|s| match s {
            Selection::Field(f) if f.selection_set.items.is_empty() => 1,
            Selection::Field(f) => 1 + depth(&f.selection_set, fragments, stack),
            Selection::InlineFragment(f) => depth(&f.selection_set, fragments, stack),
            Selection::FragmentSpread(s) => match fragments.get(s.fragment_name.as_str()) {
                Some(f) if !stack.contains(&f.name.as_str()) => {
                    stack.push(f.name.as_str());
                    let d = depth(&f.selection_set, fragments, stack);
                    stack.pop();
                    d
                }
                _ => 0,
            },
        })
        .max()
        .unwrap_or(0)
}

fn aliases_in(set: &SelectionSet<'static, String>) -> usize {
    set.items
        .iter()
        .map(|s| match s {
            Selection::Field(f) => usize::from(f.alias.is_some()) + aliases_in(&f.selection_set),
            Selection::InlineFragment(f) => aliases_in(&f.selection_set),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}
