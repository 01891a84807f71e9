//! Fields selected inside a key below its top level
//! (`@key(fields: "id compositeId { one two }")` → `CompositeId.one` and
//! `.two`) are shareable in that subgraph, as top-level key fields are:
//! every subgraph that declares the key must be able to resolve them. The
//! field-set parser here also gives the top-level key fields.

use std::collections::HashMap;

use graphql_tools::parser::schema::Type;
use indexmap::IndexMap;

use super::{
    merge::MType,
    subgraph::{Parsed, TypeDef, arg_str},
};

/// One field of a field set with the fields selected under it.
#[derive(Debug, PartialEq)]
struct Selection {
    name: String,
    under: Vec<Selection>,
}

/// The selection tree of a field set such as `id org { id kind { code } }`.
fn parse(set: &str) -> Vec<Selection> {
    fn level(tokens: &mut std::iter::Peekable<std::vec::IntoIter<String>>) -> Vec<Selection> {
        let mut out: Vec<Selection> = Vec::new();
        while let Some(t) = tokens.next() {
            match t.as_str() {
                "}" => break,
                "{" => {
                    let under = level(tokens);
                    if let Some(last) = out.last_mut() {
                        last.under = under;
                    }
                }
                name => out.push(Selection { name: name.to_owned(), under: Vec::new() }),
            }
        }
        out
    }
    let tokens: Vec<String> =
        set.replace('{', " { ").replace('}', " } ").split_whitespace().map(str::to_owned).collect();
    level(&mut tokens.into_iter().peekable())
}

/// The top-level field names of a field set (`id org { id }` → `id`,
/// `org`).
pub(crate) fn top_level(set: &str) -> Vec<String> {
    parse(set).into_iter().map(|s| s.name).collect()
}

/// The type a field's type names, without lists and non-null.
fn named<'t>(ty: &'t Type<'static, String>) -> &'t str {
    match ty {
        Type::NamedType(n) => n,
        Type::ListType(inner) | Type::NonNullType(inner) => named(inner),
    }
}

/// Marks the nested key fields of every key of subgraph `s` shareable in
/// `s`'s graph.
pub(crate) fn share_nested_key_fields(types: &mut IndexMap<String, MType>, s: &Parsed) {
    let defs: HashMap<&str, &TypeDef> = s.types.iter().map(|t| (t.name.as_str(), t)).collect();
    for td in &s.types {
        for set in td.directives.iter().filter(|d| s.names.is(d, "key")).filter_map(|d| arg_str(d, "fields"))
        {
            mark(types, &defs, &s.graph, &td.name, &parse(&set));
        }
    }
}

fn mark(
    types: &mut IndexMap<String, MType>,
    defs: &HashMap<&str, &TypeDef>,
    graph: &str,
    owner: &str,
    selections: &[Selection],
) {
    for sel in selections.iter().filter(|s| !s.under.is_empty()) {
        let Some(field) = defs.get(owner).and_then(|t| t.fields.iter().find(|f| f.name == sel.name)) else {
            continue;
        };
        let child = named(&field.ty).to_owned();
        for sub in &sel.under {
            if let Some(f) = types.get_mut(&child).and_then(|t| t.fields.get_mut(&sub.name)) {
                f.graphs.iter_mut().filter(|g| g.graph == graph).for_each(|g| g.shareable = true);
            }
        }
        mark(types, defs, graph, &child, &sel.under);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_set_parses_into_its_tree() {
        let leaf = |n: &str| Selection { name: n.into(), under: Vec::new() };
        assert_eq!(
            parse("id org { id kind { code } } name"),
            [
                leaf("id"),
                Selection {
                    name: "org".into(),
                    under: vec![leaf("id"), Selection { name: "kind".into(), under: vec![leaf("code")] }]
                },
                leaf("name"),
            ]
        );
    }
}
