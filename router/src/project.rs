//! Shaping merged data into exactly what the client asked for: response
//! keys (aliases) in selection order, `__typename`, fragments applied by
//! runtime type, `@skip`/`@include` by variable, and null propagation per
//! the GraphQL spec (a null in a non-null position nulls the nearest
//! nullable parent, with an error unless one is already there).

use hive_router_query_planner::{
    ast::{operation::OperationDefinition, selection_item::SelectionItem, selection_set::SelectionSet},
    state::supergraph_state::{SupergraphDefinition, SupergraphState, TypeNode},
};
use serde_json::{Map, Value, json};

/// Shapes `data` for `operation`; returns the `data` member (null when a
/// non-null root field is null). Errors for nulls without a cause are
/// appended to `errors`.
pub fn project(
    supergraph: &SupergraphState,
    operation: &OperationDefinition,
    root_type: &str,
    data: &Value,
    variables: &Map<String, Value>,
    errors: &mut Vec<Value>,
) -> Value {
    let mut p = Projector { supergraph, variables, errors, path: Vec::new() };
    match p.object(&operation.selection_set, root_type, data) {
        Some(v) => v,
        None => Value::Null,
    }
}

struct Projector<'a> {
    supergraph: &'a SupergraphState,
    variables: &'a Map<String, Value>,
    errors: &'a mut Vec<Value>,
    path: Vec<Value>,
}

impl Projector<'_> {
    fn flag(&self, name: &Option<String>) -> Option<bool> {
        name.as_ref().map(|n| matches!(self.variables.get(n), Some(Value::Bool(true))))
    }

    fn included(&self, skip_if: &Option<String>, include_if: &Option<String>) -> bool {
        self.flag(skip_if) != Some(true) && self.flag(include_if) != Some(false)
    }

    /// `None` means "null in a non-null position": the caller propagates.
    fn object(&mut self, selections: &SelectionSet, type_name: &str, data: &Value) -> Option<Value> {
        let mut out = Map::new();
        if self.fill(selections, type_name, data, &mut out) { Some(Value::Object(out)) } else { None }
    }

    /// Writes the selected fields into `out`; false when a non-null field
    /// is null (the whole object becomes null).
    fn fill(
        &mut self,
        selections: &SelectionSet,
        type_name: &str,
        data: &Value,
        out: &mut Map<String, Value>,
    ) -> bool {
        for item in &selections.items {
            match item {
                SelectionItem::Field(f) => {
                    if f.omit_from_response || !self.included(&f.skip_if, &f.include_if) {
                        continue;
                    }
                    let key = f.alias.as_deref().unwrap_or(&f.name);
                    if f.name == "__typename" {
                        let t = data.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
                        out.insert(key.to_owned(), json!(t));
                        continue;
                    }
                    let Some(field_type) = self.field_type(type_name, &f.name) else {
                        out.insert(key.to_owned(), Value::Null);
                        continue;
                    };
                    let raw = data.get(key).unwrap_or(&Value::Null);
                    self.path.push(json!(key));
                    let value = self.complete(&field_type, &f.selections, raw, type_name, &f.name);
                    self.path.pop();
                    match value {
                        Some(v) => {
                            out.insert(key.to_owned(), v);
                        }
                        None => return false,
                    }
                }
                SelectionItem::InlineFragment(frag) => {
                    if !self.included(&frag.skip_if, &frag.include_if) {
                        continue;
                    }
                    let runtime = data.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
                    if self.applies(runtime, &frag.type_condition)
                        && !self.fill(&frag.selections, runtime, data, out)
                    {
                        return false;
                    }
                }
                SelectionItem::FragmentSpread(_) => {}
            }
        }
        true
    }

    fn field_type(&self, parent: &str, field: &str) -> Option<TypeNode> {
        self.supergraph.definitions.get(parent)?.fields().get(field).map(|f| f.field_type.clone())
    }

    fn complete(
        &mut self,
        ty: &TypeNode,
        selections: &SelectionSet,
        raw: &Value,
        parent: &str,
        field: &str,
    ) -> Option<Value> {
        match ty {
            TypeNode::NonNull(inner) => {
                let v = self.complete(inner, selections, raw, parent, field)?;
                if v.is_null() {
                    self.null_error(parent, field);
                    return None;
                }
                Some(v)
            }
            TypeNode::List(inner) => match raw {
                Value::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(json!(i));
                        let v = self.complete(inner, selections, item, parent, field);
                        self.path.pop();
                        match v {
                            Some(v) => out.push(v),
                            // A null in a non-null item position nulls the list.
                            None => return Some(Value::Null),
                        }
                    }
                    Some(Value::Array(out))
                }
                _ => Some(Value::Null),
            },
            TypeNode::Named(name) => {
                if raw.is_null() {
                    return Some(Value::Null);
                }
                if selections.items.is_empty() {
                    return Some(raw.clone());
                }
                let runtime = raw.get("__typename").and_then(Value::as_str).unwrap_or(name).to_owned();
                // A nullable composite whose own non-null field is null is null.
                Some(self.object(selections, &runtime, raw).unwrap_or(Value::Null))
            }
        }
    }

    fn applies(&self, runtime: &str, condition: &str) -> bool {
        if runtime == condition {
            return true;
        }
        match self.supergraph.definitions.get(condition) {
            Some(SupergraphDefinition::Interface(_)) => {
                self.supergraph.interface_to_object_types.get(condition).is_some_and(|s| s.contains(runtime))
            }
            Some(SupergraphDefinition::Union(u)) => u.types.iter().any(|t| t == runtime),
            _ => false,
        }
    }

    /// Records a non-null violation unless an error already explains a
    /// null at or below this path.
    fn null_error(&mut self, parent: &str, field: &str) {
        let here = &self.path;
        let explained = self.errors.iter().any(|e| match e.get("path").and_then(Value::as_array) {
            Some(p) => p.len() >= here.len() && p[..here.len()] == here[..],
            // Errors without a path (e.g. an unreachable subgraph) explain
            // every null they caused.
            None => true,
        });
        if !explained {
            self.errors.push(json!({
                "message": format!("Cannot return null for non-nullable field {parent}.{field}"),
                "path": here.clone(),
            }));
        }
    }
}
