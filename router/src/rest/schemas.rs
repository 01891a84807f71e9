//! GraphQL types as JSON Schema (OpenAPI 3.1): a variable's input type
//! (input objects and enums as named components), and an operation's
//! selection as the exact shape of its answer (inlined: each selection
//! has its own shape). A nullable GraphQL type also allows `null`.

use std::collections::{BTreeMap, HashMap};

use graphql_tools::{
    parser::query::{FragmentDefinition, Selection, SelectionSet},
    static_graphql::{
        query::Type as GqlType,
        schema::{Document as Schema, Field, TypeDefinition},
    },
};
use utoipa::openapi::{
    RefOr,
    schema::{
        ArrayBuilder, KnownFormat, Object, ObjectBuilder, OneOfBuilder, Ref, Schema as Json, SchemaFormat,
        SchemaType, Type,
    },
};

use crate::variables::type_name;

/// The API schema's types by name, and the components collected so far.
pub struct Types<'s> {
    types: HashMap<&'s str, &'s TypeDefinition>,
    /// Input objects and enums used by inputs, as components.
    pub components: BTreeMap<String, RefOr<Json>>,
}

impl<'s> Types<'s> {
    /// Indexes `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        let types = schema
            .definitions
            .iter()
            .filter_map(|d| match d {
                graphql_tools::static_graphql::schema::Definition::TypeDefinition(t) => {
                    Some((type_name(t), t))
                }
                _ => None,
            })
            .collect();
        Self { types, components: BTreeMap::new() }
    }

    /// The schema of an input type (a variable, an input field).
    pub fn input(&mut self, ty: &GqlType) -> RefOr<Json> {
        self.input_at(ty, true)
    }

    fn input_at(&mut self, ty: &GqlType, nullable: bool) -> RefOr<Json> {
        match ty {
            GqlType::NonNullType(inner) => self.input_at(inner, false),
            GqlType::ListType(item) => array(self.input_at(item, true), nullable),
            GqlType::NamedType(name) => match self.types.get(name.as_str()).copied() {
                Some(TypeDefinition::InputObject(obj)) => {
                    if !self.components.contains_key(name) {
                        // Reserved first: input objects may refer to themselves.
                        self.components.insert(name.clone(), RefOr::T(Json::Object(Object::new())));
                        let mut b = ObjectBuilder::new().description(obj.description.clone());
                        for f in &obj.fields {
                            b = b.property(&f.name, self.input(&f.value_type));
                            if matches!(f.value_type, GqlType::NonNullType(_)) && f.default_value.is_none() {
                                b = b.required(&f.name);
                            }
                        }
                        self.components.insert(name.clone(), RefOr::T(Json::Object(b.build())));
                    }
                    reference(name, nullable)
                }
                Some(TypeDefinition::Enum(e)) => {
                    let values: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                    let schema =
                        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).build();
                    self.components.insert(name.clone(), RefOr::T(Json::Object(schema)));
                    reference(name, nullable)
                }
                _ => RefOr::T(Json::Object(scalar(name, nullable))),
            },
        }
    }

    /// The schema of the answer to `set` on `parent`, fragments expanded.
    pub fn selection(
        &self,
        parent: &str,
        set: &SelectionSet<'static, String>,
        fragments: &[FragmentDefinition<'static, String>],
        nullable: bool,
    ) -> Json {
        let mut properties: Vec<(String, Json, bool)> = Vec::new();
        self.collect(parent, parent, set, fragments, &mut properties);
        let mut b = ObjectBuilder::new().schema_type(types(Type::Object, nullable));
        for (key, schema, required) in properties {
            b = b.property(&key, schema);
            if required {
                b = b.required(key);
            }
        }
        Json::Object(b.build())
    }

    /// Adds the properties `set` selects; those under a fragment on
    /// another type than `parent` may be absent.
    fn collect(
        &self,
        parent: &str,
        on: &str,
        set: &SelectionSet<'static, String>,
        fragments: &[FragmentDefinition<'static, String>],
        out: &mut Vec<(String, Json, bool)>,
    ) {
        for item in &set.items {
            match item {
                Selection::Field(f) => {
                    let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                    if out.iter().any(|(k, _, _)| *k == key) {
                        continue;
                    }
                    let schema = if f.name == "__typename" {
                        Json::Object(ObjectBuilder::new().schema_type(Type::String).build())
                    } else {
                        match self.field(on, &f.name) {
                            Some(field) => self.output(&field.field_type, &f.selection_set, fragments, true),
                            None => {
                                Json::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build())
                            }
                        }
                    };
                    out.push((key, schema, on == parent));
                }
                Selection::InlineFragment(i) => {
                    let on = match &i.type_condition {
                        Some(graphql_tools::parser::query::TypeCondition::On(t)) => t.as_str(),
                        None => on,
                    };
                    self.collect(parent, on, &i.selection_set, fragments, out);
                }
                Selection::FragmentSpread(s) => {
                    if let Some(f) = fragments.iter().find(|f| f.name == s.fragment_name) {
                        let graphql_tools::parser::query::TypeCondition::On(t) = &f.type_condition;
                        self.collect(parent, t, &f.selection_set, fragments, out);
                    }
                }
            }
        }
    }

    fn output(
        &self,
        ty: &GqlType,
        set: &SelectionSet<'static, String>,
        fragments: &[FragmentDefinition<'static, String>],
        nullable: bool,
    ) -> Json {
        match ty {
            GqlType::NonNullType(inner) => self.output(inner, set, fragments, false),
            GqlType::ListType(item) => {
                match array(RefOr::T(self.output(item, set, fragments, true)), nullable) {
                    RefOr::T(schema) => schema,
                    RefOr::Ref(_) => Json::Object(Object::new()),
                }
            }
            GqlType::NamedType(name) => match self.types.get(name.as_str()).copied() {
                Some(TypeDefinition::Enum(e)) => {
                    let mut values: Vec<serde_json::Value> =
                        e.values.iter().map(|v| v.name.clone().into()).collect();
                    if nullable {
                        values.push(serde_json::Value::Null);
                    }
                    Json::Object(
                        ObjectBuilder::new()
                            .schema_type(types(Type::String, nullable))
                            .enum_values(Some(values))
                            .build(),
                    )
                }
                Some(TypeDefinition::Scalar(_)) | None => Json::Object(scalar(name, nullable)),
                Some(_) => self.selection(name, set, fragments, nullable),
            },
        }
    }

    fn field(&self, type_name: &str, field: &str) -> Option<&'s Field> {
        let fields = match self.types.get(type_name)? {
            TypeDefinition::Object(o) => &o.fields,
            TypeDefinition::Interface(i) => &i.fields,
            _ => return None,
        };
        fields.iter().find(|f| f.name == field)
    }
}

/// The schema of a built-in or custom scalar.
fn scalar(name: &str, nullable: bool) -> Object {
    let (ty, format) = match name {
        "Int" => (Type::Integer, Some(KnownFormat::Int32)),
        "Float" => (Type::Number, None),
        "Boolean" => (Type::Boolean, None),
        "String" | "ID" => (Type::String, None),
        "DateTime" => (Type::String, Some(KnownFormat::DateTime)),
        "NaiveDate" => (Type::String, Some(KnownFormat::Date)),
        // JSON and scalars we do not know: any value.
        _ => return ObjectBuilder::new().schema_type(SchemaType::AnyValue).build(),
    };
    ObjectBuilder::new()
        .schema_type(types(ty, nullable))
        .format(format.map(SchemaFormat::KnownFormat))
        .build()
}

fn types(ty: Type, nullable: bool) -> SchemaType {
    if nullable { SchemaType::from_iter([ty, Type::Null]) } else { SchemaType::new(ty) }
}

fn array(item: RefOr<Json>, nullable: bool) -> RefOr<Json> {
    RefOr::T(Json::Array(ArrayBuilder::new().items(item).schema_type(types(Type::Array, nullable)).build()))
}

fn reference(name: &str, nullable: bool) -> RefOr<Json> {
    let r = RefOr::Ref(Ref::from_schema_name(name));
    if !nullable {
        return r;
    }
    let null = Json::Object(ObjectBuilder::new().schema_type(Type::Null).build());
    RefOr::T(Json::OneOf(OneOfBuilder::new().item(r).item(null).build()))
}
