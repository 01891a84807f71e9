//! Reading one subgraph: parse its SDL, work out which names its federation
//! directives go by, and flatten definitions and extensions into one shape.

use std::collections::HashMap;

use graphql_tools::parser::schema::{
    Definition, Directive, Field, InputValue, Type, TypeDefinition, TypeExtension, Value, parse_schema,
};

use super::{CompositionError, SubgraphSdl};

/// Kinds of named types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    Input,
}

/// A directive with its arguments.
pub(crate) type Dir = Directive<'static, String>;

/// A field or input field of one subgraph.
#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    pub name: String,
    pub description: Option<String>,
    pub args: Vec<InputValue<'static, String>>,
    pub ty: Type<'static, String>,
    pub default: Option<Value<'static, String>>,
    pub directives: Vec<Dir>,
}

/// An enum value of one subgraph.
#[derive(Debug, Clone)]
pub(crate) struct EnumValueDef {
    pub name: String,
    pub description: Option<String>,
    pub directives: Vec<Dir>,
}

/// A named type of one subgraph (definition or extension).
#[derive(Debug, Clone)]
pub(crate) struct TypeDef {
    pub kind: Kind,
    pub name: String,
    pub description: Option<String>,
    pub directives: Vec<Dir>,
    pub fields: Vec<FieldDef>,
    pub interfaces: Vec<String>,
    pub members: Vec<String>,
    pub values: Vec<EnumValueDef>,
    pub extension: bool,
}

/// The federation directive names as this subgraph spells them.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    map: HashMap<&'static str, String>,
}

/// Federation directives we read.
pub(crate) const FED_DIRECTIVES: [&str; 11] = [
    "key",
    "external",
    "requires",
    "provides",
    "shareable",
    "override",
    "inaccessible",
    "tag",
    "interfaceObject",
    "extends",
    "composeDirective",
];

impl Names {
    /// The local name of federation directive `canonical`.
    pub fn is(&self, dir: &Dir, canonical: &str) -> bool {
        self.map.get(canonical).is_some_and(|n| n == &dir.name)
    }

    fn is_federation(&self, name: &str) -> bool {
        self.map.values().any(|n| n == name) || name.starts_with("federation__") || name == "link"
    }
}

/// One parsed subgraph.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub name: String,
    pub url: String,
    /// Its value in the `join__Graph` enum.
    pub graph: String,
    /// Federation 2 (has a federation `@link`).
    pub v2: bool,
    pub names: Names,
    pub types: Vec<TypeDef>,
}

/// Types and fields a subgraph exports for federation's own machinery.
pub(crate) fn is_internal_type(name: &str) -> bool {
    matches!(
        name,
        "_Service"
            | "_Any"
            | "_Entity"
            | "FieldSet"
            | "_FieldSet"
            | "link__Import"
            | "link__Purpose"
            | SCHEMA_CARRIER
    ) || name.starts_with("federation__")
        || name.starts_with("link__")
}

/// A scalar that carries the directives of `extend schema`, which the
/// parser does not read: `extend schema @link(…)` becomes
/// `scalar __BackboneSchemaExtension @link(…)`.
const SCHEMA_CARRIER: &str = "__BackboneSchemaExtension";

fn lift_schema_extensions(sdl: &str) -> String {
    let mut out = String::with_capacity(sdl.len());
    let mut carried = String::new();
    let mut rest = sdl;
    while let Some(at) = find_extend_schema(rest) {
        out.push_str(&rest[..at]);
        let after = rest[at..].trim_start_matches("extend").trim_start().trim_start_matches("schema");
        let (directives, remaining) = take_directives(after);
        carried.push(' ');
        carried.push_str(directives);
        let remaining = remaining.trim_start();
        // `extend schema { … }` root operations are not used by federation.
        rest = if remaining.starts_with('{') { skip_balanced(remaining, '{', '}') } else { remaining };
    }
    out.push_str(rest);
    if !carried.trim().is_empty() {
        out.push_str(&format!("\nscalar {SCHEMA_CARRIER}{carried}\n"));
    }
    out
}

fn find_extend_schema(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("extend") {
        let at = from + i;
        let tail = s[at + 6..].trim_start();
        let boundary = at == 0 || !s[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if boundary
            && tail.starts_with("schema")
            && !tail[6..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            return Some(at);
        }
        from = at + 6;
    }
    None
}

/// Takes `@a(...) @b ...` from the front of `s`.
fn take_directives(s: &str) -> (&str, &str) {
    let mut i = 0;
    let bytes = s.as_bytes();
    loop {
        while i < bytes.len() && (bytes[i] as char).is_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'@' {
            break;
        }
        i += 1;
        while i < bytes.len() && ((bytes[i] as char).is_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j] as char).is_whitespace() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'(' {
            let rest = skip_balanced(&s[j..], '(', ')');
            i = s.len() - rest.len();
        }
    }
    (&s[..i], &s[i..])
}

/// Skips a balanced `open … close` group (strings respected).
fn skip_balanced(s: &str, open: char, close: char) -> &str {
    let mut depth = 0;
    let mut in_string = false;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        if in_string {
            if c == '"' && prev != '\\' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return &s[i + c.len_utf8()..];
            }
        }
        prev = c;
    }
    ""
}

/// Parses and normalizes one subgraph.
pub(crate) fn parse(s: &SubgraphSdl) -> Result<Parsed, CompositionError> {
    let err = |message: String| CompositionError {
        subgraph: Some(s.name.clone()),
        type_name: None,
        field: None,
        message,
    };
    if s.name.is_empty() || !s.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(err(format!("invalid subgraph name {:?}", s.name)));
    }
    let sdl = lift_schema_extensions(&s.sdl);
    let doc =
        parse_schema::<String>(&sdl).map_err(|e| err(format!("SDL does not parse: {e}")))?.into_static();
    let (v2, names) = federation_names(&doc);
    let mut roots: HashMap<String, &'static str> = HashMap::new();
    for def in &doc.definitions {
        if let Definition::SchemaDefinition(sd) = def {
            for (field, canonical) in
                [(&sd.query, "Query"), (&sd.mutation, "Mutation"), (&sd.subscription, "Subscription")]
            {
                if let Some(n) = field {
                    roots.insert(n.clone(), canonical);
                }
            }
        }
    }
    let root = |n: String| roots.get(&n).map_or(n, |c| (*c).to_owned());
    let mut types = Vec::new();
    for def in doc.definitions {
        let td = match def {
            Definition::TypeDefinition(t) => from_definition(t, false),
            Definition::TypeExtension(t) => from_extension(t),
            Definition::SchemaDefinition(_) | Definition::DirectiveDefinition(_) => continue,
        };
        let mut td = td;
        td.name = root(td.name);
        if is_internal_type(&td.name) {
            continue;
        }
        td.fields.retain(|f| !(td.name == "Query" && (f.name == "_service" || f.name == "_entities")));
        for f in &mut td.fields {
            rename_type(&mut f.ty, &root);
        }
        types.push(td);
    }
    let graph = graph_enum_name(&s.name);
    Ok(Parsed { name: s.name.clone(), url: s.url.clone(), graph, v2, names, types })
}

fn rename_type(ty: &mut Type<'static, String>, root: &impl Fn(String) -> String) {
    match ty {
        Type::NamedType(n) => *n = root(std::mem::take(n)),
        Type::ListType(t) | Type::NonNullType(t) => rename_type(t, root),
    }
}

/// `accounts-v2` → `ACCOUNTS_V2`.
pub(crate) fn graph_enum_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// Finds the federation `@link` and its imports; without one the subgraph
/// is Federation v1 and uses plain names.
fn federation_names(doc: &graphql_tools::parser::schema::Document<'static, String>) -> (bool, Names) {
    let mut map: HashMap<&'static str, String> = HashMap::new();
    let mut v2 = false;
    let mut prefix = "federation".to_owned();
    for def in &doc.definitions {
        let directives = match def {
            Definition::SchemaDefinition(sd) => &sd.directives,
            Definition::TypeDefinition(TypeDefinition::Scalar(s)) if s.name == SCHEMA_CARRIER => {
                &s.directives
            }
            _ => continue,
        };
        for d in directives.iter().filter(|d| d.name == "link") {
            let url = arg_str(d, "url").unwrap_or_default();
            if !url.contains("specs.apollo.dev/federation/") {
                continue;
            }
            v2 = true;
            if let Some(alias) = arg_str(d, "as") {
                prefix = alias;
            }
            if let Some(Value::List(imports)) = arg(d, "import") {
                for import in imports {
                    let (name, alias) = match import {
                        Value::String(s) => (s.clone(), s.clone()),
                        Value::Object(fields) => {
                            let get = |k: &str| {
                                fields.iter().find(|(n, _)| n == k).and_then(|(_, v)| match v {
                                    Value::String(s) => Some(s.clone()),
                                    _ => None,
                                })
                            };
                            let Some(name) = get("name") else { continue };
                            let alias = get("as").unwrap_or_else(|| name.clone());
                            (name, alias)
                        }
                        _ => continue,
                    };
                    if let Some(canonical) =
                        FED_DIRECTIVES.iter().find(|c| name.trim_start_matches('@') == **c)
                    {
                        map.insert(canonical, alias.trim_start_matches('@').to_owned());
                    }
                }
            }
        }
    }
    for canonical in FED_DIRECTIVES {
        map.entry(canonical)
            .or_insert_with(|| if v2 { format!("{prefix}__{canonical}") } else { canonical.to_owned() });
    }
    // v1 `@key`-style names are also accepted in v2 subgraphs that forgot to
    // import them only when no import shadows them; keep the spec behaviour.
    (v2, Names { map })
}

/// A directive argument.
pub(crate) fn arg<'d>(d: &'d Dir, name: &str) -> Option<&'d Value<'static, String>> {
    d.arguments.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// A string directive argument.
pub(crate) fn arg_str(d: &Dir, name: &str) -> Option<String> {
    match arg(d, name) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// A boolean directive argument with a default.
pub(crate) fn arg_bool(d: &Dir, name: &str, default: bool) -> bool {
    match arg(d, name) {
        Some(Value::Boolean(b)) => *b,
        _ => default,
    }
}

impl Parsed {
    /// Directives of this subgraph that are not federation machinery.
    pub fn is_federation_directive(&self, d: &Dir) -> bool {
        self.names.is_federation(&d.name)
    }
}

fn field(f: Field<'static, String>) -> FieldDef {
    FieldDef {
        name: f.name,
        description: f.description,
        args: f.arguments,
        ty: f.field_type,
        default: None,
        directives: f.directives,
    }
}

fn input_field(f: InputValue<'static, String>) -> FieldDef {
    FieldDef {
        name: f.name,
        description: f.description,
        args: Vec::new(),
        ty: f.value_type,
        default: f.default_value,
        directives: f.directives,
    }
}

fn empty(
    kind: Kind,
    name: String,
    description: Option<String>,
    directives: Vec<Dir>,
    extension: bool,
) -> TypeDef {
    TypeDef {
        kind,
        name,
        description,
        directives,
        fields: Vec::new(),
        interfaces: Vec::new(),
        members: Vec::new(),
        values: Vec::new(),
        extension,
    }
}

fn enum_values(values: Vec<graphql_tools::parser::schema::EnumValue<'static, String>>) -> Vec<EnumValueDef> {
    values
        .into_iter()
        .map(|v| EnumValueDef { name: v.name, description: v.description, directives: v.directives })
        .collect()
}

fn from_definition(t: TypeDefinition<'static, String>, extension: bool) -> TypeDef {
    match t {
        TypeDefinition::Scalar(s) => empty(Kind::Scalar, s.name, s.description, s.directives, extension),
        TypeDefinition::Object(o) => TypeDef {
            fields: o.fields.into_iter().map(field).collect(),
            interfaces: o.implements_interfaces,
            ..empty(Kind::Object, o.name, o.description, o.directives, extension)
        },
        TypeDefinition::Interface(i) => TypeDef {
            fields: i.fields.into_iter().map(field).collect(),
            interfaces: i.implements_interfaces,
            ..empty(Kind::Interface, i.name, i.description, i.directives, extension)
        },
        TypeDefinition::Union(u) => {
            TypeDef { members: u.types, ..empty(Kind::Union, u.name, u.description, u.directives, extension) }
        }
        TypeDefinition::Enum(e) => TypeDef {
            values: enum_values(e.values),
            ..empty(Kind::Enum, e.name, e.description, e.directives, extension)
        },
        TypeDefinition::InputObject(i) => TypeDef {
            fields: i.fields.into_iter().map(input_field).collect(),
            ..empty(Kind::Input, i.name, i.description, i.directives, extension)
        },
    }
}

fn from_extension(t: TypeExtension<'static, String>) -> TypeDef {
    match t {
        TypeExtension::Scalar(s) => empty(Kind::Scalar, s.name, None, s.directives, true),
        TypeExtension::Object(o) => TypeDef {
            fields: o.fields.into_iter().map(field).collect(),
            interfaces: o.implements_interfaces,
            ..empty(Kind::Object, o.name, None, o.directives, true)
        },
        TypeExtension::Interface(i) => TypeDef {
            fields: i.fields.into_iter().map(field).collect(),
            interfaces: i.implements_interfaces,
            ..empty(Kind::Interface, i.name, None, i.directives, true)
        },
        TypeExtension::Union(u) => {
            TypeDef { members: u.types, ..empty(Kind::Union, u.name, None, u.directives, true) }
        }
        TypeExtension::Enum(e) => {
            TypeDef { values: enum_values(e.values), ..empty(Kind::Enum, e.name, None, e.directives, true) }
        }
        TypeExtension::InputObject(i) => TypeDef {
            fields: i.fields.into_iter().map(input_field).collect(),
            ..empty(Kind::Input, i.name, None, i.directives, true)
        },
    }
}
