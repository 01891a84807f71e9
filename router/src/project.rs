//! Shaping merged data into exactly what the client asked for: response
//! keys (aliases) in selection order, `__typename`, fragments applied by
//! runtime type, `@skip`/`@include` by variable, and null propagation per
//! the GraphQL spec (a null in a non-null position nulls the nearest
//! nullable parent, with an error unless one is already there).
//!
//! The response is written as JSON bytes in one pass, not built as a
//! `serde_json::Value` and serialized after: building the tree cost an
//! allocation per key and per value, and was the router's largest cost
//! after the network (docs/benchmarks.md). A null that propagates truncates
//! what its object or list had written and writes `null` in its place.

use hive_router_query_planner::{
    ast::{
        operation::OperationDefinition,
        selection_item::SelectionItem,
        selection_set::{FieldSelection, SelectionSet},
    },
    state::supergraph_state::{SupergraphDefinition, SupergraphState, TypeNode},
};
use serde_json::{Map, Value, json};

use crate::visible::Visible;

/// Writes the whole response, `{"data": …, "errors": […]}`, for
/// `operation` over the merged `data`; errors for nulls without a cause are
/// added to `errors` first.
pub fn response(
    supergraph: &SupergraphState,
    visible: &Visible,
    operation: &OperationDefinition,
    root_type: &str,
    data: &Value,
    variables: &Map<String, Value>,
    mut errors: Vec<Value>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"data\":");
    let mut p = Projector { supergraph, visible, variables, errors: &mut errors, path: Vec::new(), out };
    if !p.object(&operation.selection_set, root_type, data) {
        p.out.extend_from_slice(b"null");
    }
    let mut out = p.out;
    if !errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        // Serializing a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &errors);
    }
    out.push(b'}');
    out
}

/// One step of the response path, turned into JSON only for an error.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Projector<'a> {
    supergraph: &'a SupergraphState,
    visible: &'a Visible,
    variables: &'a Map<String, Value>,
    errors: &'a mut Vec<Value>,
    path: Vec<Step<'a>>,
    out: Vec<u8>,
}

impl<'a> Projector<'a> {
    fn flag(&self, name: &Option<String>) -> Option<bool> {
        name.as_ref().map(|n| matches!(self.variables.get(n), Some(Value::Bool(true))))
    }

    fn included(&self, skip_if: &Option<String>, include_if: &Option<String>) -> bool {
        self.flag(skip_if) != Some(true) && self.flag(include_if) != Some(false)
    }

    /// Writes `{…}`; false, with nothing written, when a non-null field is
    /// null (the caller propagates).
    fn object(&mut self, selections: &'a SelectionSet, type_name: &str, data: &Value) -> bool {
        let start = self.out.len();
        self.out.push(b'{');
        let mut written: Vec<&'a str> = Vec::new();
        if !self.fill(selections, type_name, data, &mut written) {
            self.out.truncate(start);
            return false;
        }
        self.out.push(b'}');
        true
    }

    /// Writes the selected fields; false when a non-null field is null.
    /// `written` holds the keys written so far: a key selected twice (once
    /// directly, once in a fragment) is written once, first place.
    fn fill(
        &mut self,
        selections: &'a SelectionSet,
        type_name: &str,
        data: &Value,
        written: &mut Vec<&'a str>,
    ) -> bool {
        for item in &selections.items {
            match item {
                SelectionItem::Field(f) => {
                    if f.omit_from_response || !self.included(&f.skip_if, &f.include_if) {
                        continue;
                    }
                    let key = f.alias.as_deref().unwrap_or(&f.name);
                    if written.contains(&key) {
                        continue;
                    }
                    if !written.is_empty() {
                        self.out.push(b',');
                    }
                    written.push(key);
                    self.key(key);
                    if !self.field(f, key, type_name, data) {
                        return false;
                    }
                }
                SelectionItem::InlineFragment(frag) => {
                    if !self.included(&frag.skip_if, &frag.include_if) {
                        continue;
                    }
                    let runtime = data.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
                    if self.applies(runtime, &frag.type_condition)
                        && !self.fill(&frag.selections, runtime, data, written)
                    {
                        return false;
                    }
                }
                SelectionItem::FragmentSpread(_) => {}
            }
        }
        true
    }

    fn key(&mut self, key: &str) {
        // GraphQL names ([_A-Za-z][_0-9A-Za-z]*) need no escaping.
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// Writes one field's value; false when it propagates a null.
    fn field(&mut self, f: &'a FieldSelection, key: &'a str, type_name: &str, data: &Value) -> bool {
        if f.name == "__typename" {
            let t = data.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
            self.out.push(b'"');
            self.out.extend_from_slice(t.as_bytes());
            self.out.push(b'"');
            return true;
        }
        let Some(field_type) = self.field_type(type_name, &f.name) else {
            self.out.extend_from_slice(b"null");
            return true;
        };
        let raw = data.get(key).unwrap_or(&Value::Null);
        self.path.push(Step::Key(key));
        let ok = self.complete(field_type, &f.selections, raw, type_name, &f.name);
        self.path.pop();
        ok
    }

    fn field_type(&self, parent: &str, field: &str) -> Option<&'a TypeNode> {
        self.supergraph.definitions.get(parent)?.fields().get(field).map(|f| &f.field_type)
    }

    fn scalar(&mut self, v: &Value) {
        // Serializing a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, v);
    }

    /// Writes a value of type `ty`; false, with nothing written, when it is
    /// null in a non-null position.
    fn complete(
        &mut self,
        ty: &'a TypeNode,
        selections: &'a SelectionSet,
        raw: &Value,
        parent: &str,
        field: &str,
    ) -> bool {
        match ty {
            TypeNode::NonNull(inner) => {
                let start = self.out.len();
                if !self.complete(inner, selections, raw, parent, field) {
                    return false;
                }
                if &self.out[start..] == b"null" {
                    self.out.truncate(start);
                    self.null_error(parent, field);
                    return false;
                }
                true
            }
            TypeNode::List(inner) => {
                let Value::Array(items) = raw else {
                    self.out.extend_from_slice(b"null");
                    return true;
                };
                let start = self.out.len();
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.path.push(Step::Index(i));
                    let ok = self.complete(inner, selections, item, parent, field);
                    self.path.pop();
                    if !ok {
                        // A null in a non-null item position nulls the list.
                        self.out.truncate(start);
                        self.out.extend_from_slice(b"null");
                        return true;
                    }
                }
                self.out.push(b']');
                true
            }
            TypeNode::Named(name) => {
                if raw.is_null() || selections.items.is_empty() {
                    // A hidden enum value is null to the client.
                    if self.visible.shows_value(name, raw) {
                        self.scalar(raw);
                    } else {
                        self.out.extend_from_slice(b"null");
                    }
                    return true;
                }
                let runtime = raw.get("__typename").and_then(Value::as_str).unwrap_or(name);
                // So is an object of a hidden type.
                if !self.visible.shows_type(runtime) {
                    self.out.extend_from_slice(b"null");
                    return true;
                }
                // A nullable composite whose own non-null field is null is null.
                if !self.object(selections, runtime, raw) {
                    self.out.extend_from_slice(b"null");
                }
                true
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
        let here: Vec<Value> = self
            .path
            .iter()
            .map(|s| match s {
                Step::Key(k) => json!(k),
                Step::Index(i) => json!(i),
            })
            .collect();
        let explained = self.errors.iter().any(|e| match e.get("path").and_then(Value::as_array) {
            Some(p) => p.len() >= here.len() && p[..here.len()] == here[..],
            // Errors without a path (e.g. an unreachable subgraph) explain
            // every null they caused.
            None => true,
        });
        if !explained {
            // The subgraph broke its schema: the router's error, coded.
            let violation = crate::error::PipelineError::NonNullViolation {
                parent: parent.to_string(),
                field: field.to_string(),
            };
            self.errors.extend(violation.graphql_at(Some(&here)));
        }
    }
}
