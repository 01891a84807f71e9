//! What clients may see of the supergraph: the types and enum values of the
//! API schema (the supergraph without its `@inaccessible` elements). The
//! projector checks what subgraphs return against it, so a hidden enum
//! value or an object of a hidden type becomes null instead of reaching a
//! client (Federation spec, "@inaccessible").

use std::collections::{HashMap, HashSet};

use graphql_tools::static_graphql::schema::{Definition, Document, TypeDefinition};

/// The API schema's types and enum values.
#[derive(Debug, Default)]
pub struct Visible {
    /// False when the supergraph hides nothing: every check is skipped.
    hides: bool,
    types: HashSet<String>,
    enum_values: HashMap<String, HashSet<String>>,
}

impl Visible {
    /// From the API schema, against the supergraph it was made from.
    pub fn new(api: &Document, supergraph_sdl: &str) -> Self {
        let mut visible = Self { hides: supergraph_sdl.contains("@inaccessible"), ..Self::default() };
        if !visible.hides {
            return visible;
        }
        for def in &api.definitions {
            let Definition::TypeDefinition(t) = def else { continue };
            let name = match t {
                TypeDefinition::Scalar(s) => &s.name,
                TypeDefinition::Object(o) => &o.name,
                TypeDefinition::Interface(i) => &i.name,
                TypeDefinition::Union(u) => &u.name,
                TypeDefinition::InputObject(i) => &i.name,
                TypeDefinition::Enum(e) => {
                    visible
                        .enum_values
                        .insert(e.name.clone(), e.values.iter().map(|v| v.name.clone()).collect());
                    &e.name
                }
            };
            visible.types.insert(name.clone());
        }
        visible
    }

    /// Whether an object whose runtime type is `name` may be shown.
    pub fn shows_type(&self, name: &str) -> bool {
        !self.hides || name.starts_with("__") || self.types.contains(name)
    }

    /// Whether `value`, returned for a field of type `ty`, may be shown:
    /// false only for a hidden value of an enum.
    pub fn shows_value(&self, ty: &str, value: &serde_json::Value) -> bool {
        if !self.hides {
            return true;
        }
        match (self.enum_values.get(ty), value.as_str()) {
            (Some(values), Some(v)) => values.contains(v),
            _ => true,
        }
    }
}
