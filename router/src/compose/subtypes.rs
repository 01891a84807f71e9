//! A field whose type is a union or interface in one subgraph and one of
//! its members in another (`book: Media` here, `book: Book` there) composes
//! to the most general type; each subgraph keeps its own in
//! `@join__field(type:)`, so the planner knows what each may return.
//! Types that are not related that way are an error naming the subgraph.

use indexmap::IndexMap;

use super::{CompositionError, merge::MType, subgraph::Kind};

/// The named type of a type string (`[Book!]!` → `Book`).
fn named(ty: &str) -> &str {
    ty.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

/// Whether `sub` is `general` or one of its members or implementations.
fn within(types: &IndexMap<String, MType>, general: &str, sub: &str) -> bool {
    sub == general
        || types
            .get(general)
            .is_some_and(|g| g.kind == Kind::Union && g.members.iter().any(|(_, m)| m == sub))
        || types.get(sub).is_some_and(|s| s.implements.iter().any(|(_, i)| i == general))
}

/// A field's composed type, or the subgraph and type that do not fit.
type Outcome = Result<String, (String, String)>;

pub(crate) fn unify(types: &mut IndexMap<String, MType>, errors: &mut Vec<CompositionError>) {
    let mut changes: Vec<(String, String, Outcome)> = Vec::new();
    for t in types.values().filter(|t| t.kind != Kind::Input) {
        for f in t.fields.values() {
            let names: Vec<&str> = f.graphs.iter().map(|g| named(&g.ty)).collect();
            if names.windows(2).all(|w| w[0] == w[1]) {
                continue;
            }
            let general = names.iter().find(|g| names.iter().all(|n| within(types, g, n)));
            let outcome = match general {
                Some(general) => Ok(f
                    .graphs
                    .iter()
                    .filter(|g| named(&g.ty) == *general)
                    .map(|g| g.ty.clone())
                    .min_by_key(|ty| ty.matches('!').count())
                    .unwrap_or_default()),
                None => {
                    let odd = f
                        .graphs
                        .iter()
                        .find(|g| named(&g.ty) != names[0])
                        .map(|g| (g.subgraph.clone(), g.ty.clone()));
                    Err(odd.unwrap_or_default())
                }
            };
            changes.push((t.name.clone(), f.name.clone(), outcome));
        }
    }
    for (type_name, field, outcome) in changes {
        let Some(f) = types.get_mut(&type_name).and_then(|t| t.fields.get_mut(&field)) else { continue };
        match outcome {
            Ok(ty) => f.ty = ty,
            Err((subgraph, ty)) => errors.push(CompositionError {
                subgraph: Some(subgraph),
                type_name: Some(type_name),
                field: Some(field),
                message: format!(
                    "has type {ty} here but {} in another subgraph, and neither contains the other",
                    f.ty
                ),
            }),
        }
    }
}
