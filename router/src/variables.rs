//! Variable values checked against their declared types before anything is
//! sent to a subgraph (GraphQL input coercion rules), so a wrong type is a
//! clear error at the edge, not a subgraph failure.

use std::collections::HashMap;

use graphql_tools::static_graphql::{
    query::{Type, VariableDefinition},
    schema::{Definition, Document, TypeDefinition},
};
use serde_json::{Map, Value};

use crate::error::PipelineError;

/// Input types of the API schema by name.
pub struct InputTypes {
    types: HashMap<String, TypeDefinition>,
}

impl InputTypes {
    /// Indexes the enum, scalar and input object types of `schema`.
    pub fn new(schema: &Document) -> Self {
        let types = schema
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::TypeDefinition(
                    t
                    @ (TypeDefinition::Enum(_) | TypeDefinition::InputObject(_) | TypeDefinition::Scalar(_)),
                ) => Some((type_name(t).to_owned(), t.clone())),
                _ => None,
            })
            .collect();
        Self { types }
    }

    /// Checks every declared variable's value, and gives each variable
    /// the client did not send its default, so everything downstream
    /// (conditions, the plan's condition nodes, arguments forwarded to
    /// subgraphs) reads the value the operation means.
    pub fn check(
        &self,
        definitions: &[VariableDefinition],
        values: &mut Map<String, Value>,
    ) -> Result<(), PipelineError> {
        for def in definitions {
            if !values.contains_key(&def.name)
                && let Some(default) = &def.default_value
            {
                values.insert(def.name.clone(), literal(default));
                continue;
            }
            self.coerce(&def.var_type, values.get(&def.name).unwrap_or(&Value::Null))
                .map_err(|reason| PipelineError::Variable { name: def.name.clone(), reason })?;
        }
        Ok(())
    }

    /// The values of enum `name`, if it is an enum of the API schema.
    pub fn enum_values(&self, name: &str) -> Option<impl Iterator<Item = &str>> {
        match self.types.get(name) {
            Some(TypeDefinition::Enum(e)) => Some(e.values.iter().map(|v| v.name.as_str())),
            _ => None,
        }
    }

    /// Whether `name` is an input object of the API schema.
    pub fn is_input_object(&self, name: &str) -> bool {
        matches!(self.types.get(name), Some(TypeDefinition::InputObject(_)))
    }

    fn coerce(&self, ty: &Type, value: &Value) -> Result<(), String> {
        match ty {
            Type::NonNullType(inner) => {
                if value.is_null() {
                    return Err(format!("expected a non-null {inner}"));
                }
                self.coerce(inner, value)
            }
            _ if value.is_null() => Ok(()),
            Type::ListType(inner) => match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| self.coerce(inner, v).map_err(|e| format!("item {i}: {e}"))),
                single => self.coerce(inner, single),
            },
            Type::NamedType(name) => self.named(name, value),
        }
    }

    fn named(&self, name: &str, value: &Value) -> Result<(), String> {
        let ok = match name {
            "Int" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            "Float" => value.is_number(),
            "String" => value.is_string(),
            "Boolean" => value.is_boolean(),
            "ID" => value.is_string() || value.is_i64() || value.is_u64(),
            _ => match self.types.get(name) {
                Some(TypeDefinition::Enum(e)) => {
                    value.as_str().is_some_and(|s| e.values.iter().any(|v| v.name == s))
                }
                Some(TypeDefinition::InputObject(obj)) => {
                    let Value::Object(map) = value else {
                        return Err(format!("expected an object of type {name}"));
                    };
                    if let Some(unknown) = map.keys().find(|k| !obj.fields.iter().any(|f| &f.name == *k)) {
                        return Err(format!("{name} has no field {unknown:?}"));
                    }
                    for f in &obj.fields {
                        match map.get(&f.name) {
                            None if f.default_value.is_some() => {}
                            v => self
                                .coerce(&f.value_type, v.unwrap_or(&Value::Null))
                                .map_err(|e| format!("{name}.{}: {e}", f.name))?,
                        }
                    }
                    true
                }
                // Custom scalars accept any JSON value; their subgraph decides.
                _ => true,
            },
        };
        if ok { Ok(()) } else { Err(format!("expected {name}, got {}", short(value))) }
    }
}

/// The name of a type definition.
pub(crate) fn type_name(t: &TypeDefinition) -> &str {
    match t {
        TypeDefinition::Scalar(s) => &s.name,
        TypeDefinition::Object(o) => &o.name,
        TypeDefinition::Interface(i) => &i.name,
        TypeDefinition::Union(u) => &u.name,
        TypeDefinition::Enum(e) => &e.name,
        TypeDefinition::InputObject(i) => &i.name,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

/// A constant GraphQL value (a default, which cannot name a variable) as JSON.
pub(crate) fn literal(value: &graphql_tools::static_graphql::query::Value) -> Value {
    use graphql_tools::static_graphql::query::Value as Q;
    match value {
        Q::Null | Q::Variable(_) => Value::Null,
        Q::Boolean(b) => Value::Bool(*b),
        Q::Int(n) => n.as_i64().map_or(Value::Null, Value::from),
        Q::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Q::String(s) | Q::Enum(s) => Value::String(s.clone()),
        Q::List(items) => Value::Array(items.iter().map(literal).collect()),
        Q::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
    }
}
