//! The route table: `routes.toml` and the operations it names, loaded once
//! (the built-in table, or `router.rest.routes_dir`). Each operation is cut
//! out of its file with the fragments it uses, so it is parsed, validated
//! and planned on its own and shares the pipeline's caches.

use std::{collections::HashSet, path::Path};

use graphql_tools::{
    parser::query::{Definition, Document, FragmentDefinition, Selection, SelectionSet},
    static_graphql::query::{Type, VariableDefinition},
};
use http::Method;
use serde::Deserialize;

use crate::operation::parts;

/// The built-in table: Backbone's own routes over its own graph.
const BUILT_IN: &[(&str, &str)] = &[
    ("routes.toml", include_str!("../../rest/routes.toml")),
    ("profile.graphql", include_str!("../../rest/profile.graphql")),
    ("complaints.graphql", include_str!("../../rest/complaints.graphql")),
    ("notifications.graphql", include_str!("../../rest/notifications.graphql")),
    ("consent.graphql", include_str!("../../rest/consent.graphql")),
    ("scheduling.graphql", include_str!("../../rest/scheduling.graphql")),
    ("billing.graphql", include_str!("../../rest/billing.graphql")),
    ("documents.graphql", include_str!("../../rest/documents.graphql")),
    ("sync.graphql", include_str!("../../rest/sync.graphql")),
    ("events.graphql", include_str!("../../rest/events.graphql")),
];

/// Why a route table cannot be used; the router refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// A file could not be read.
    #[error("REST routes: {0}")]
    Read(String),
    /// `routes.toml` is not a route table.
    #[error("REST routes: routes.toml: {0}")]
    Toml(String),
    /// An operation file does not parse.
    #[error("REST routes: {file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A route is unusable as written.
    #[error("REST route {method} {path}: {message}")]
    Route {
        /// Its method.
        method: String,
        /// Its path as written.
        path: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    route: Vec<RouteSpec>,
    #[serde(default)]
    event: Vec<EventSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSpec {
    r#type: String,
    operation: String,
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteSpec {
    method: String,
    path: String,
    operation: String,
    body: Option<String>,
    raw_body: Option<String>,
    status: Option<u16>,
    #[serde(default)]
    anonymous: bool,
    tag: Option<String>,
    summary: Option<String>,
}

/// The kind of a stored operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A query.
    Query,
    /// A mutation.
    Mutation,
    /// A subscription (event types only).
    Subscription,
}

/// One stored operation, standalone.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its name (the `operationName` sent through the pipeline).
    pub name: String,
    /// The operation and the fragments it uses, printed.
    pub text: String,
    /// Query or mutation.
    pub kind: Kind,
    /// Its variable definitions.
    pub variables: Vec<VariableDefinition>,
    /// The response key of its only root field, when it has one: the
    /// route answers that field's value rather than the whole `data`.
    pub root: Option<String>,
}

impl Operation {
    /// The declared type of variable `name`.
    pub fn variable(&self, name: &str) -> Option<&VariableDefinition> {
        self.variables.iter().find(|v| v.name == name)
    }
}

/// One route.
#[derive(Debug, Clone)]
pub struct Route {
    /// Its HTTP method.
    pub method: Method,
    /// Its path as written (`/v1/complaints/:id`).
    pub path: String,
    /// The same path in axum's and OpenAPI's syntax (`/v1/complaints/{id}`).
    pub template: String,
    /// Path parameter names, in order.
    pub params: Vec<String>,
    /// The operation it runs.
    pub operation: Operation,
    /// The variable the whole JSON body becomes.
    pub body: Option<String>,
    /// The String variable a non-JSON body becomes, base64-encoded.
    pub raw_body: Option<String>,
    /// The status of a success.
    pub status: u16,
    /// Callers without credentials may use it.
    pub anonymous: bool,
    /// OpenAPI tag.
    pub tag: Option<String>,
    /// OpenAPI summary.
    pub summary: Option<String>,
}

impl Route {
    /// Whether the route reads a request body.
    pub fn takes_body(&self) -> bool {
        self.method != Method::GET && self.method != Method::DELETE
    }

    /// The variables a caller gives in the query string: those not in the
    /// path and, for routes with a body, none.
    pub fn query_variables(&self) -> impl Iterator<Item = &VariableDefinition> {
        let body = self.takes_body();
        self.operation.variables.iter().filter(move |v| !body && !self.params.contains(&v.name))
    }
}

/// One event type of `/v1/events`.
#[derive(Debug, Clone)]
pub struct EventType {
    /// Its name in `?types=`.
    pub name: String,
    /// The subscription it runs.
    pub operation: Operation,
    /// The field of each answer that is the event's id.
    pub id_field: String,
}

/// Every route, in table order, and the event types.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The routes.
    pub routes: Vec<Route>,
    /// The event types.
    pub events: Vec<EventType>,
}

impl Table {
    /// The built-in table.
    pub fn built_in() -> Result<Self, TableError> {
        let files = BUILT_IN.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
        Self::from_files(files)
    }

    /// The table in `dir`: its `routes.toml` and every `*.graphql` file.
    pub fn from_dir(dir: &Path) -> Result<Self, TableError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| TableError::Read(format!("{}: {e}", p.display())))
        };
        let entries =
            std::fs::read_dir(dir).map_err(|e| TableError::Read(format!("{}: {e}", dir.display())))?;
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "routes.toml" || name.ends_with(".graphql") {
                files.push((name, read(&path)?));
            }
        }
        Self::from_files(files)
    }

    fn from_files(files: Vec<(String, String)>) -> Result<Self, TableError> {
        let table = files
            .iter()
            .find(|(n, _)| n == "routes.toml")
            .ok_or_else(|| TableError::Read("no routes.toml".into()))?;
        let table: TableFile =
            toml::from_str(&table.1).map_err(|e| TableError::Toml(e.message().to_owned()))?;
        let mut operations = Vec::new();
        for (file, text) in files.iter().filter(|(n, _)| n.ends_with(".graphql")) {
            operations.extend(operations_of(file, text)?);
        }
        let mut seen = HashSet::new();
        let mut routes = Vec::new();
        for spec in table.route {
            let route = route(spec, &operations)?;
            if !seen.insert((route.method.clone(), route.template.clone())) {
                return Err(refuse(route.method.as_ref(), &route.path, "is listed twice"));
            }
            routes.push(route);
        }
        let mut events = Vec::new();
        for spec in table.event {
            let fail = |m: String| TableError::Route {
                method: "EVENT".into(),
                path: spec.r#type.clone(),
                message: m,
            };
            let operation = operations
                .iter()
                .find(|o| o.name == spec.operation)
                .cloned()
                .ok_or_else(|| fail(format!("no operation named {}", spec.operation)))?;
            if operation.kind != Kind::Subscription {
                return Err(fail(format!("{} is not a subscription", operation.name)));
            }
            if events.iter().any(|e: &EventType| e.name == spec.r#type) {
                return Err(fail("is listed twice".into()));
            }
            events.push(EventType { name: spec.r#type, operation, id_field: spec.id });
        }
        Ok(Self { routes, events })
    }
}

fn refuse(method: &str, path: &str, message: impl Into<String>) -> TableError {
    TableError::Route { method: method.to_owned(), path: path.to_owned(), message: message.into() }
}

fn route(spec: RouteSpec, operations: &[Operation]) -> Result<Route, TableError> {
    let fail = |m: String| refuse(&spec.method, &spec.path, m);
    let method = match spec.method.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        other => return Err(fail(format!("method {other} is not one of GET, POST, PUT, PATCH, DELETE"))),
    };
    if !spec.path.starts_with("/v1/") {
        return Err(fail("paths start with /v1/".into()));
    }
    let operation = operations
        .iter()
        .find(|o| o.name == spec.operation)
        .cloned()
        .ok_or_else(|| fail(format!("no operation named {}", spec.operation)))?;
    let (template, params) = template(&spec.path).map_err(fail)?;
    for p in &params {
        if operation.variable(p).is_none() {
            return Err(fail(format!("path parameter {p} is not a variable of {}", operation.name)));
        }
    }
    if method == Method::GET && operation.kind == Kind::Mutation {
        return Err(fail("a GET route cannot run a mutation".into()));
    }
    if operation.kind == Kind::Subscription {
        return Err(fail("subscriptions are event types of /v1/events, not routes".into()));
    }
    for v in spec.body.iter().chain(&spec.raw_body) {
        if operation.variable(v).is_none() {
            return Err(fail(format!("body variable {v} is not a variable of {}", operation.name)));
        }
    }
    if (spec.body.is_some() || spec.raw_body.is_some()) && matches!(method, Method::GET | Method::DELETE) {
        return Err(fail("GET and DELETE routes have no body".into()));
    }
    let status = spec.status.unwrap_or(200);
    if !(200..300).contains(&status) {
        return Err(fail(format!("status {status} is not a success")));
    }
    Ok(Route {
        method,
        path: spec.path,
        template,
        params,
        operation,
        body: spec.body,
        raw_body: spec.raw_body,
        status,
        anonymous: spec.anonymous,
        tag: spec.tag,
        summary: spec.summary,
    })
}

/// `/v1/a/:id` (or `/v1/a/{id}`) as `/v1/a/{id}`, with the parameter
/// names. A `:` inside a segment (`/v1/documents:verify`) is literal.
fn template(path: &str) -> Result<(String, Vec<String>), String> {
    let mut params = Vec::new();
    let mut segments = Vec::new();
    for segment in path.split('/') {
        let name =
            segment.strip_prefix(':').or_else(|| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
        match name {
            Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                params.push(n.to_owned());
                segments.push(format!("{{{n}}}"));
            }
            Some(_) => return Err(format!("bad parameter segment {segment:?}")),
            None if segment.contains(['{', '}', '*']) => return Err(format!("bad segment {segment:?}")),
            None => segments.push(segment.to_owned()),
        }
    }
    Ok((segments.join("/"), params))
}

/// Every named operation of one file, each printed with the fragments it
/// uses.
fn operations_of(file: &str, text: &str) -> Result<Vec<Operation>, TableError> {
    let doc = graphql_tools::parser::parse_query::<String>(text)
        .map_err(|e| TableError::Parse { file: file.to_owned(), message: e.to_string().trim().to_owned() })?
        .into_static();
    let fragments: Vec<&FragmentDefinition<'static, String>> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some(f),
            Definition::Operation(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    for definition in &doc.definitions {
        let Definition::Operation(op) = definition else { continue };
        let p = parts(op);
        let parse_error = |m: &str| TableError::Parse { file: file.to_owned(), message: m.to_owned() };
        let name = p.name.ok_or_else(|| parse_error("every operation needs a name"))?.to_owned();
        let mut used = Vec::new();
        collect_fragments(p.selection_set, &fragments, &mut used);
        let mut definitions = vec![definition.clone()];
        definitions.extend(
            fragments.iter().filter(|f| used.contains(&f.name)).map(|f| Definition::Fragment((*f).clone())),
        );
        let root = match p.selection_set.items.as_slice() {
            [Selection::Field(f)] => Some(f.alias.clone().unwrap_or_else(|| f.name.clone())),
            _ => None,
        };
        out.push(Operation {
            name,
            text: Document { definitions }.to_string(),
            kind: match (p.is_mutation, p.is_subscription) {
                (true, _) => Kind::Mutation,
                (_, true) => Kind::Subscription,
                _ => Kind::Query,
            },
            variables: p.variables.to_vec(),
            root,
        });
    }
    Ok(out)
}

fn collect_fragments(
    set: &SelectionSet<'static, String>,
    fragments: &[&FragmentDefinition<'static, String>],
    used: &mut Vec<String>,
) {
    for item in &set.items {
        match item {
            Selection::Field(f) => collect_fragments(&f.selection_set, fragments, used),
            Selection::InlineFragment(f) => collect_fragments(&f.selection_set, fragments, used),
            Selection::FragmentSpread(s) => {
                if used.contains(&s.fragment_name) {
                    continue;
                }
                used.push(s.fragment_name.clone());
                if let Some(f) = fragments.iter().find(|f| f.name == s.fragment_name) {
                    collect_fragments(&f.selection_set, fragments, used);
                }
            }
        }
    }
}

/// The named type at the bottom of a (list, non-null) type.
pub fn base_name(ty: &Type) -> &str {
    match ty {
        Type::NamedType(n) => n,
        Type::ListType(t) | Type::NonNullType(t) => base_name(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_loads() {
        let table = Table::built_in().expect("built-in table");
        let route = table.routes.iter().find(|r| r.path == "/v1/complaints/:id").expect("a route by id");
        assert_eq!(route.template, "/v1/complaints/{id}");
        assert_eq!(route.params, ["id"]);
        assert_eq!(route.operation.root.as_deref(), Some("complaint"));
        assert!(route.operation.text.contains("fragment ComplaintFields"), "{}", route.operation.text);
        let verify = table.routes.iter().find(|r| r.path == "/v1/documents:verify").expect("verify");
        assert_eq!(verify.template, "/v1/documents:verify", "a colon inside a segment is literal");
    }

    #[test]
    fn a_route_that_cannot_work_is_refused_with_its_reason() {
        let ops = "query Q($id: ID!) { a(id: $id) } mutation M { b }";
        let cases = [
            ("GET", "/v1/x/:nope", "Q", "path parameter nope"),
            ("GET", "/v1/m", "M", "cannot run a mutation"),
            ("GET", "/v2/x", "Q", "start with /v1/"),
            ("GET", "/v1/x", "Missing", "no operation named"),
            ("TRACE", "/v1/x", "Q", "method TRACE"),
        ];
        for (method, path, op, expected) in cases {
            let toml = format!("[[route]]\nmethod = \"{method}\"\npath = \"{path}\"\noperation = \"{op}\"\n");
            let files = vec![("routes.toml".to_owned(), toml), ("ops.graphql".to_owned(), ops.to_owned())];
            let error = Table::from_files(files).expect_err(path).to_string();
            assert!(error.contains(expected), "{path}: {error}");
        }
        let twice = "[[route]]\nmethod = \"GET\"\npath = \"/v1/x/:id\"\noperation = \"Q\"\n".repeat(2);
        let files = vec![("routes.toml".to_owned(), twice), ("ops.graphql".to_owned(), ops.to_owned())];
        assert!(Table::from_files(files).expect_err("twice").to_string().contains("twice"));
    }
}
