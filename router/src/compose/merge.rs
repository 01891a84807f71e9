//! Merging the subgraphs' types into one supergraph model, checking the
//! rules of composition on the way.

use std::collections::BTreeSet;

use graphql_tools::parser::schema::{InputValue, Type, Value};
use indexmap::IndexMap;

use super::{
    CompositionError,
    subgraph::{Dir, Kind, Parsed, TypeDef, arg_bool, arg_str},
};

/// How one subgraph contributes a type.
#[derive(Debug, Clone)]
pub(crate) struct GraphType {
    pub graph: String,
    pub keys: Vec<(String, bool)>,
    pub extension: bool,
    pub interface_object: bool,
}

/// How one subgraph contributes a field.
#[derive(Debug, Clone)]
pub(crate) struct GraphField {
    pub graph: String,
    pub subgraph: String,
    pub ty: String,
    pub external: bool,
    pub requires: Option<String>,
    pub provides: Option<String>,
    pub override_from: Option<String>,
    pub used_overridden: bool,
    pub shareable: bool,
}

/// A merged field.
#[derive(Debug, Clone)]
pub(crate) struct MField {
    pub name: String,
    pub description: Option<String>,
    pub args: Vec<InputValue<'static, String>>,
    pub ty: String,
    pub default: Option<Value<'static, String>>,
    pub deprecated: Option<Dir>,
    pub inaccessible: bool,
    pub tags: BTreeSet<String>,
    pub graphs: Vec<GraphField>,
    /// Given to an implementation by an `@interfaceObject`: no subgraph
    /// resolves it on the implementation itself (the planner goes through
    /// the interface object), written as a bare `@join__field`.
    pub via_interface_object: bool,
}

/// A merged enum value.
#[derive(Debug, Clone)]
pub(crate) struct MValue {
    pub description: Option<String>,
    pub graphs: Vec<String>,
    pub deprecated: Option<Dir>,
    pub inaccessible: bool,
}

/// A merged type.
#[derive(Debug, Clone)]
pub(crate) struct MType {
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub graphs: Vec<GraphType>,
    pub fields: IndexMap<String, MField>,
    pub implements: Vec<(String, String)>,
    pub members: Vec<(String, String)>,
    pub values: IndexMap<String, MValue>,
    pub inaccessible: bool,
    pub tags: BTreeSet<String>,
}

/// The merged graph.
pub(crate) struct Merged {
    pub types: IndexMap<String, MType>,
}

fn type_string(ty: &Type<'static, String>) -> String {
    ty.to_string()
}

fn strip_non_null(s: &str) -> String {
    s.replace('!', "")
}

pub(crate) fn merge(subgraphs: &[Parsed]) -> Result<Merged, Vec<CompositionError>> {
    let mut errors = Vec::new();
    let mut types: IndexMap<String, MType> = IndexMap::new();
    let names: BTreeSet<&str> = subgraphs.iter().map(|s| s.name.as_str()).collect();
    for s in subgraphs {
        for td in &s.types {
            merge_type(&mut types, s, td, &names, &mut errors);
        }
    }
    for s in subgraphs {
        super::keys::share_nested_key_fields(&mut types, s);
    }
    apply_overrides(&mut types);
    super::inputs::intersect(&mut types, subgraphs, &mut errors);
    super::subtypes::unify(&mut types, &mut errors);
    apply_interface_objects(&mut types, &mut errors);
    check_shareable(&types, &mut errors);
    if errors.is_empty() { Ok(Merged { types }) } else { Err(errors) }
}

fn err(subgraph: &str, ty: &str, field: Option<&str>, message: String) -> CompositionError {
    CompositionError {
        subgraph: Some(subgraph.to_owned()),
        type_name: Some(ty.to_owned()),
        field: field.map(str::to_owned),
        message,
    }
}

fn merge_type(
    types: &mut IndexMap<String, MType>,
    s: &Parsed,
    td: &TypeDef,
    subgraph_names: &BTreeSet<&str>,
    errors: &mut Vec<CompositionError>,
) {
    let is = |d: &Dir, c: &str| s.names.is(d, c);
    let interface_object = td.kind == Kind::Object && td.directives.iter().any(|d| is(d, "interfaceObject"));
    let kind = if interface_object { Kind::Interface } else { td.kind };
    let entry = types.entry(td.name.clone()).or_insert_with(|| MType {
        name: td.name.clone(),
        kind,
        description: None,
        graphs: Vec::new(),
        fields: IndexMap::new(),
        implements: Vec::new(),
        members: Vec::new(),
        values: IndexMap::new(),
        inaccessible: false,
        tags: BTreeSet::new(),
    });
    if entry.kind != kind {
        errors.push(err(
            &s.name,
            &td.name,
            None,
            format!("is a {kind:?} here but a {:?} in another subgraph", entry.kind),
        ));
        return;
    }
    if entry.description.is_none() {
        entry.description.clone_from(&td.description);
    }
    let keys: Vec<(String, bool)> = td
        .directives
        .iter()
        .filter(|d| is(d, "key"))
        .filter_map(|d| arg_str(d, "fields").map(|f| (f, arg_bool(d, "resolvable", true))))
        .collect();
    let extension = td.extension || td.directives.iter().any(|d| is(d, "extends"));
    let type_shareable = td.directives.iter().any(|d| is(d, "shareable"));
    let type_external = td.directives.iter().any(|d| is(d, "external"));
    entry.inaccessible |= td.directives.iter().any(|d| is(d, "inaccessible"));
    entry.tags.extend(td.directives.iter().filter(|d| is(d, "tag")).filter_map(|d| arg_str(d, "name")));
    match entry.graphs.iter_mut().find(|g| g.graph == s.graph) {
        // A definition plus extensions of the same type in one subgraph.
        Some(g) => {
            g.keys.extend(keys.clone());
            g.extension &= extension;
        }
        None => entry.graphs.push(GraphType {
            graph: s.graph.clone(),
            keys: keys.clone(),
            extension,
            interface_object,
        }),
    }
    let key_fields: BTreeSet<String> = keys.iter().flat_map(|(k, _)| super::keys::top_level(k)).collect();
    for iface in &td.interfaces {
        entry.implements.push((s.graph.clone(), iface.clone()));
    }
    for member in &td.members {
        entry.members.push((s.graph.clone(), member.clone()));
    }
    for v in &td.values {
        let mv = entry.values.entry(v.name.clone()).or_insert_with(|| MValue {
            description: None,
            graphs: Vec::new(),
            deprecated: None,
            inaccessible: false,
        });
        if mv.description.is_none() {
            mv.description.clone_from(&v.description);
        }
        if mv.deprecated.is_none() {
            mv.deprecated = v.directives.iter().find(|d| d.name == "deprecated").cloned();
        }
        mv.inaccessible |= v.directives.iter().any(|d| is(d, "inaccessible"));
        mv.graphs.push(s.graph.clone());
    }
    for f in &td.fields {
        let ty = type_string(&f.ty);
        // A key field of an extension is the extension's own even when
        // marked `@external` (Federation 1 required the mark).
        let external = (type_external || f.directives.iter().any(|d| is(d, "external")))
            && !(extension && key_fields.contains(&f.name));
        let override_from = f.directives.iter().find(|d| is(d, "override")).and_then(|d| arg_str(d, "from"));
        if let Some(from) = &override_from
            && !subgraph_names.contains(from.as_str())
        {
            // As Apollo's composer: a hint, not an error; nothing is taken
            // from a subgraph that is not there.
            tracing::warn!(
                subgraph = %s.name, field = %format!("{}.{}", td.name, f.name), from = %from,
                "@override names a subgraph that is not in the graph; the field is this subgraph's"
            );
        }
        let gf = GraphField {
            graph: s.graph.clone(),
            subgraph: s.name.clone(),
            ty: ty.clone(),
            external,
            requires: f.directives.iter().find(|d| is(d, "requires")).and_then(|d| arg_str(d, "fields")),
            provides: f.directives.iter().find(|d| is(d, "provides")).and_then(|d| arg_str(d, "fields")),
            override_from,
            used_overridden: false,
            shareable: !s.v2
                || type_shareable
                || key_fields.contains(&f.name)
                || f.directives.iter().any(|d| is(d, "shareable")),
        };
        let mf = entry.fields.entry(f.name.clone()).or_insert_with(|| MField {
            name: f.name.clone(),
            description: None,
            args: Vec::new(),
            ty: ty.clone(),
            default: f.default.clone(),
            deprecated: None,
            inaccessible: false,
            tags: BTreeSet::new(),
            graphs: Vec::new(),
            via_interface_object: false,
        });
        if mf.description.is_none() {
            mf.description.clone_from(&f.description);
        }
        if mf.args.is_empty() {
            mf.args = f.args.iter().map(|a| strip_federation(s, a)).collect();
        }
        if mf.deprecated.is_none() {
            mf.deprecated = f.directives.iter().find(|d| d.name == "deprecated").cloned();
        }
        mf.inaccessible |= f.directives.iter().any(|d| is(d, "inaccessible"));
        mf.tags.extend(f.directives.iter().filter(|d| is(d, "tag")).filter_map(|d| arg_str(d, "name")));
        if mf.ty != ty {
            if strip_non_null(&mf.ty) != strip_non_null(&ty) {
                // An output field may be a union here and a member there
                // (`subtypes::unify` decides once every subgraph is in);
                // inputs must agree.
                if kind == Kind::Input || ty.matches('[').count() != mf.ty.matches('[').count() {
                    errors.push(err(
                        &s.name,
                        &td.name,
                        Some(&f.name),
                        format!("has type {ty} here but {} in another subgraph", mf.ty),
                    ));
                }
            } else if kind == Kind::Input {
                // Inputs take the strictest type: every subgraph must accept it.
                if ty.matches('!').count() > mf.ty.matches('!').count() {
                    mf.ty = ty.clone();
                }
            } else if ty.matches('!').count() < mf.ty.matches('!').count() {
                // Outputs take the most nullable type.
                mf.ty = ty.clone();
            }
        }
        mf.graphs.push(gf);
    }
}

fn strip_federation(s: &Parsed, a: &InputValue<'static, String>) -> InputValue<'static, String> {
    let mut a = a.clone();
    a.directives
        .retain(|d| !s.is_federation_directive(d) || s.names.is(d, "inaccessible") || s.names.is(d, "tag"));
    for d in &mut a.directives {
        if s.names.is(d, "inaccessible") {
            d.name = "inaccessible".into();
        } else if s.names.is(d, "tag") {
            d.name = "tag".into();
        }
    }
    a
}

/// `@override(from: X)`: X no longer resolves the field, unless it is one
/// of X's key fields (then it is kept as "used overridden").
fn apply_overrides(types: &mut IndexMap<String, MType>) {
    for t in types.values_mut() {
        let key_fields_of = |graph: &str| -> BTreeSet<String> {
            t.graphs
                .iter()
                .filter(|g| g.graph == graph)
                .flat_map(|g| g.keys.iter().flat_map(|(k, _)| super::keys::top_level(k)))
                .collect()
        };
        let mut overridden: Vec<(String, String)> = Vec::new();
        for f in t.fields.values() {
            for g in &f.graphs {
                if let Some(from) = &g.override_from {
                    overridden.push((f.name.clone(), super::subgraph::graph_enum_name(from)));
                }
            }
        }
        for (field, from_graph) in overridden {
            let keep = key_fields_of(&from_graph).contains(&field);
            if let Some(f) = t.fields.get_mut(&field) {
                if keep {
                    f.graphs
                        .iter_mut()
                        .filter(|g| g.graph == from_graph)
                        .for_each(|g| g.used_overridden = true);
                } else {
                    f.graphs.retain(|g| g.graph != from_graph);
                }
            }
        }
    }
}

/// Fields an `@interfaceObject` contributes belong to every implementation.
fn apply_interface_objects(types: &mut IndexMap<String, MType>, errors: &mut Vec<CompositionError>) {
    let mut copies: Vec<(String, MField)> = Vec::new();
    for t in types.values() {
        let io_graphs: Vec<&GraphType> = t.graphs.iter().filter(|g| g.interface_object).collect();
        if io_graphs.is_empty() {
            continue;
        }
        if t.graphs.iter().all(|g| g.interface_object) {
            errors.push(CompositionError {
                subgraph: None,
                type_name: Some(t.name.clone()),
                field: None,
                message: "@interfaceObject but no subgraph defines it as an interface".into(),
            });
            continue;
        }
        let implementations: Vec<&str> = types
            .values()
            .filter(|o| o.kind == Kind::Object && o.implements.iter().any(|(_, i)| i == &t.name))
            .map(|o| o.name.as_str())
            .collect();
        for f in t.fields.values() {
            let from_io: Vec<GraphField> =
                f.graphs.iter().filter(|gf| io_graphs.iter().any(|g| g.graph == gf.graph)).cloned().collect();
            if from_io.is_empty() {
                continue;
            }
            for imp in &implementations {
                let mut copy = f.clone();
                copy.graphs = Vec::new();
                copy.via_interface_object = true;
                copies.push(((*imp).to_owned(), copy));
            }
        }
    }
    for (imp, field) in copies {
        if let Some(t) = types.get_mut(&imp) {
            match t.fields.get_mut(&field.name) {
                // The implementation's own subgraph resolves it: unchanged.
                Some(_) => {}
                None => {
                    t.fields.insert(field.name.clone(), field);
                }
            }
        }
    }
}

/// A field resolved (not external) by several subgraphs must be shareable
/// in each of them.
fn check_shareable(types: &IndexMap<String, MType>, errors: &mut Vec<CompositionError>) {
    for t in types.values().filter(|t| t.kind == Kind::Object) {
        for f in t.fields.values() {
            let resolving: Vec<&GraphField> =
                f.graphs.iter().filter(|g| !g.external && !g.used_overridden).collect();
            if resolving.len() < 2 {
                continue;
            }
            if let Some(bad) = resolving.iter().find(|g| !g.shareable) {
                let all: Vec<&str> = resolving.iter().map(|g| g.subgraph.as_str()).collect();
                errors.push(err(
                    &bad.subgraph,
                    &t.name,
                    Some(&f.name),
                    format!(
                        "is resolved by subgraphs {} but is not @shareable in {:?}",
                        all.join(", "),
                        bad.subgraph
                    ),
                ));
            }
        }
    }
}
