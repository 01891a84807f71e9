//! Input objects shared by several subgraphs compose as the intersection
//! of their fields: the router forwards what a client sends, so a field
//! some subgraph does not accept must not be in the supergraph. A field
//! left out is logged; a required one (non-null, no default) missing in a
//! subgraph is an error naming both, as in Apollo's composer.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{
    CompositionError,
    merge::MType,
    subgraph::{Kind, Parsed},
};

pub(crate) fn intersect(
    types: &mut IndexMap<String, MType>,
    subgraphs: &[Parsed],
    errors: &mut Vec<CompositionError>,
) {
    let name_of: HashMap<&str, &str> =
        subgraphs.iter().map(|s| (s.graph.as_str(), s.name.as_str())).collect();
    for t in types.values_mut().filter(|t| t.kind == Kind::Input) {
        let graphs: Vec<String> = t.graphs.iter().map(|g| g.graph.clone()).collect();
        let mut dropped = Vec::new();
        for f in t.fields.values() {
            let Some(missing) = graphs.iter().find(|g| !f.graphs.iter().any(|fg| &&fg.graph == g)) else {
                continue;
            };
            let required = f.graphs.iter().find(|fg| fg.ty.ends_with('!') && f.default.is_none());
            match required {
                Some(there) => errors.push(CompositionError {
                    subgraph: Some(there.subgraph.clone()),
                    type_name: Some(t.name.clone()),
                    field: Some(f.name.clone()),
                    message: format!(
                        "is required in subgraph {:?} but does not appear in subgraph {:?}",
                        there.subgraph,
                        name_of.get(missing.as_str()).copied().unwrap_or(missing)
                    ),
                }),
                None => dropped.push(f.name.clone()),
            }
        }
        for field in dropped {
            tracing::warn!(
                input = %t.name, %field,
                "input field left out of the supergraph: not every subgraph that has the type accepts it"
            );
            t.fields.shift_remove(&field);
        }
    }
}
