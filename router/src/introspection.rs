//! Introspection (`__schema`, `__type`, `__typename`) answered by the router
//! from the API schema, so clients and playgrounds see one graph without a
//! round trip to any subgraph. Off in production via
//! `router.introspection = false`.

use std::collections::HashMap;

use graphql_tools::{
    parser::query::{Definition as QDef, Selection, SelectionSet},
    static_graphql::{
        query::{Document as Query, FragmentDefinition, Value as QValue},
        schema::{Definition, Document, Field, InputValue, Type, TypeDefinition},
    },
};
use serde_json::{Map, Value, json};

use crate::variables::type_name;

/// Resolves an operation made only of introspection root fields.
pub fn resolve(
    schema: &Document,
    query: &Query,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
) -> Value {
    let fragments: HashMap<&str, &FragmentDefinition> = query
        .definitions
        .iter()
        .filter_map(|d| match d {
            QDef::Fragment(f) => Some((f.name.as_str(), f)),
            QDef::Operation(_) => None,
        })
        .collect();
    let set = query.definitions.iter().find_map(|d| match d {
        QDef::Operation(op) => {
            let parts = crate::operation::parts(op);
            (operation_name.is_none() || operation_name == parts.name).then_some(parts.selection_set)
        }
        QDef::Fragment(_) => None,
    });
    let types: HashMap<&str, &TypeDefinition> = schema
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::TypeDefinition(t) => Some((type_name(t), t)),
            _ => None,
        })
        .collect();
    let r = Resolver { schema, types, fragments, variables };
    set.map_or(Value::Null, |s| r.select(s, &Node::Root))
}

enum Node<'s> {
    Root,
    Schema,
    Type(TypeRef<'s>),
    Field(&'s Field),
    Input(&'s InputValue),
    EnumValue(&'s graphql_tools::static_graphql::schema::EnumValue),
    Directive(&'s graphql_tools::static_graphql::schema::DirectiveDefinition),
}

#[derive(Clone)]
enum TypeRef<'s> {
    Named(&'s TypeDefinition),
    List(Box<TypeRef<'s>>),
    NonNull(Box<TypeRef<'s>>),
}

struct Resolver<'s, 'q> {
    schema: &'s Document,
    types: HashMap<&'s str, &'s TypeDefinition>,
    fragments: HashMap<&'q str, &'q FragmentDefinition>,
    variables: &'q Map<String, Value>,
}

impl<'s> Resolver<'s, '_> {
    fn select(&self, set: &SelectionSet<'static, String>, node: &Node<'s>) -> Value {
        let mut out = Map::new();
        self.fill(set, node, &mut out);
        Value::Object(out)
    }

    fn fill(&self, set: &SelectionSet<'static, String>, node: &Node<'s>, out: &mut Map<String, Value>) {
        for item in &set.items {
            match item {
                Selection::Field(f) => {
                    let key = f.alias.as_ref().unwrap_or(&f.name).clone();
                    let args: HashMap<&str, Value> =
                        f.arguments.iter().map(|(k, v)| (k.as_str(), self.value(v))).collect();
                    let v = self.field(node, &f.name, &args, &f.selection_set);
                    out.insert(key, v);
                }
                Selection::InlineFragment(fr) => self.fill(&fr.selection_set, node, out),
                Selection::FragmentSpread(s) => {
                    if let Some(fr) = self.fragments.get(s.fragment_name.as_str()) {
                        self.fill(&fr.selection_set, node, out);
                    }
                }
            }
        }
    }

    fn value(&self, v: &QValue) -> Value {
        match v {
            QValue::Variable(n) => self.variables.get(n).cloned().unwrap_or(Value::Null),
            QValue::String(s) | QValue::Enum(s) => json!(s),
            QValue::Boolean(b) => json!(b),
            QValue::Int(n) => json!(n.as_i64()),
            _ => Value::Null,
        }
    }

    fn many<T>(
        &self,
        items: impl Iterator<Item = T>,
        set: &SelectionSet<'static, String>,
        f: impl Fn(T) -> Node<'s>,
    ) -> Value {
        Value::Array(items.map(|i| self.select(set, &f(i))).collect())
    }

    fn named(&self, name: &str) -> Option<TypeRef<'s>> {
        self.types.get(name).map(|t| TypeRef::Named(t))
    }

    fn type_ref(&self, ty: &'s Type) -> Option<TypeRef<'s>> {
        Some(match ty {
            Type::NamedType(n) => self.named(n)?,
            Type::ListType(t) => TypeRef::List(Box::new(self.type_ref(t)?)),
            Type::NonNullType(t) => TypeRef::NonNull(Box::new(self.type_ref(t)?)),
        })
    }

    fn ty(&self, r: Option<TypeRef<'s>>, set: &SelectionSet<'static, String>) -> Value {
        r.map_or(Value::Null, |r| self.select(set, &Node::Type(r)))
    }

    fn field(
        &self,
        node: &Node<'s>,
        name: &str,
        args: &HashMap<&str, Value>,
        set: &SelectionSet<'static, String>,
    ) -> Value {
        let include_deprecated = matches!(args.get("includeDeprecated"), Some(Value::Bool(true)));
        match (node, name) {
            (Node::Root, "__typename") => json!("Query"),
            (Node::Root, "__schema") => self.select(set, &Node::Schema),
            (Node::Root, "__type") => {
                let name = args.get("name").and_then(Value::as_str).unwrap_or_default();
                self.ty(self.named(name), set)
            }
            (Node::Schema, "__typename") => json!("__Schema"),
            (Node::Schema, "description") => Value::Null,
            (Node::Schema, "queryType") => self.ty(self.named("Query"), set),
            (Node::Schema, "mutationType") => self.ty(self.named("Mutation"), set),
            (Node::Schema, "subscriptionType") => self.ty(self.named("Subscription"), set),
            (Node::Schema, "types") => self.many(self.types.values(), set, |t| Node::Type(TypeRef::Named(t))),
            (Node::Schema, "directives") => self.many(
                self.schema.definitions.iter().filter_map(|d| match d {
                    Definition::DirectiveDefinition(dd) => Some(dd),
                    _ => None,
                }),
                set,
                Node::Directive,
            ),
            (Node::Type(t), _) => self.type_field(t, name, include_deprecated, set),
            (Node::Field(f), _) => match name {
                "__typename" => json!("__Field"),
                "name" => json!(f.name),
                "description" => json!(f.description),
                "args" => self.many(f.arguments.iter(), set, Node::Input),
                "type" => self.ty(self.type_ref(&f.field_type), set),
                "isDeprecated" => json!(deprecation(&f.directives).is_some()),
                "deprecationReason" => json!(deprecation(&f.directives)),
                _ => Value::Null,
            },
            (Node::Input(i), _) => match name {
                "__typename" => json!("__InputValue"),
                "name" => json!(i.name),
                "description" => json!(i.description),
                "type" => self.ty(self.type_ref(&i.value_type), set),
                "defaultValue" => i.default_value.as_ref().map_or(Value::Null, |v| json!(v.to_string())),
                "isDeprecated" => json!(deprecation(&i.directives).is_some()),
                "deprecationReason" => json!(deprecation(&i.directives)),
                _ => Value::Null,
            },
            (Node::EnumValue(v), _) => match name {
                "__typename" => json!("__EnumValue"),
                "name" => json!(v.name),
                "description" => json!(v.description),
                "isDeprecated" => json!(deprecation(&v.directives).is_some()),
                "deprecationReason" => json!(deprecation(&v.directives)),
                _ => Value::Null,
            },
            (Node::Directive(d), _) => match name {
                "__typename" => json!("__Directive"),
                "name" => json!(d.name),
                "description" => json!(d.description),
                "isRepeatable" => json!(d.repeatable),
                "locations" => json!(d.locations.iter().map(|l| l.as_str()).collect::<Vec<_>>()),
                "args" => self.many(d.arguments.iter(), set, Node::Input),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    }

    fn type_field(
        &self,
        t: &TypeRef<'s>,
        name: &str,
        include_deprecated: bool,
        set: &SelectionSet<'static, String>,
    ) -> Value {
        let def = match t {
            TypeRef::List(inner) | TypeRef::NonNull(inner) => {
                return match name {
                    "__typename" => json!("__Type"),
                    "kind" => json!(if matches!(t, TypeRef::List(_)) { "LIST" } else { "NON_NULL" }),
                    "ofType" => self.select(set, &Node::Type((**inner).clone())),
                    _ => Value::Null,
                };
            }
            TypeRef::Named(def) => *def,
        };
        let keep = |dirs: &[graphql_tools::static_graphql::schema::Directive]| {
            include_deprecated || deprecation(dirs).is_none()
        };
        // The planner's schema lists `__schema` and `__type` on Query so
        // that validation accepts them; they are meta-fields, not fields.
        let listed = |f: &&graphql_tools::static_graphql::schema::Field| {
            !f.name.starts_with("__") && keep(&f.directives)
        };
        match (name, def) {
            ("__typename", _) => json!("__Type"),
            ("kind", _) => json!(match def {
                TypeDefinition::Scalar(_) => "SCALAR",
                TypeDefinition::Object(_) => "OBJECT",
                TypeDefinition::Interface(_) => "INTERFACE",
                TypeDefinition::Union(_) => "UNION",
                TypeDefinition::Enum(_) => "ENUM",
                TypeDefinition::InputObject(_) => "INPUT_OBJECT",
            }),
            ("name", _) => json!(type_name(def)),
            ("description", _) => json!(description(def)),
            ("fields", TypeDefinition::Object(o)) => {
                self.many(o.fields.iter().filter(listed), set, Node::Field)
            }
            ("fields", TypeDefinition::Interface(i)) => {
                self.many(i.fields.iter().filter(listed), set, Node::Field)
            }
            ("interfaces", TypeDefinition::Object(o)) => {
                self.many(o.implements_interfaces.iter().filter_map(|n| self.named(n)), set, Node::Type)
            }
            ("interfaces", TypeDefinition::Interface(i)) => {
                self.many(i.implements_interfaces.iter().filter_map(|n| self.named(n)), set, Node::Type)
            }
            ("possibleTypes", TypeDefinition::Union(u)) => {
                self.many(u.types.iter().filter_map(|n| self.named(n)), set, Node::Type)
            }
            ("possibleTypes", TypeDefinition::Interface(i)) => self.many(
                self.types.values().filter(|t| match t {
                    TypeDefinition::Object(o) => o.implements_interfaces.contains(&i.name),
                    _ => false,
                }),
                set,
                |t| Node::Type(TypeRef::Named(t)),
            ),
            ("enumValues", TypeDefinition::Enum(e)) => {
                self.many(e.values.iter().filter(|v| keep(&v.directives)), set, Node::EnumValue)
            }
            ("inputFields", TypeDefinition::InputObject(i)) => self.many(i.fields.iter(), set, Node::Input),
            ("isOneOf", TypeDefinition::InputObject(_)) => json!(false),
            _ => Value::Null,
        }
    }
}

fn deprecation(dirs: &[graphql_tools::static_graphql::schema::Directive]) -> Option<String> {
    dirs.iter().find(|d| d.name == "deprecated").map(|d| {
        d.arguments
            .iter()
            .find(|(n, _)| n == "reason")
            .and_then(|(_, v)| match v {
                graphql_tools::static_graphql::schema::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "No longer supported".into())
    })
}

fn description(t: &TypeDefinition) -> Option<&String> {
    match t {
        TypeDefinition::Scalar(s) => s.description.as_ref(),
        TypeDefinition::Object(o) => o.description.as_ref(),
        TypeDefinition::Interface(i) => i.description.as_ref(),
        TypeDefinition::Union(u) => u.description.as_ref(),
        TypeDefinition::Enum(e) => e.description.as_ref(),
        TypeDefinition::InputObject(i) => i.description.as_ref(),
    }
}
