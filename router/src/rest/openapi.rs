//! The OpenAPI 3.1 document of the REST layer, generated from the route
//! table and the loaded graph (`GET /v1/openapi.json`): each route's
//! parameters, body and answer typed from its operation's variables and
//! selection, its error answers, and the bearer and API-key schemes. A
//! route whose operation the loaded graph cannot run is left out.

use graphql_tools::{
    parser::query::{Definition, Document},
    validation::validate::validate,
};
use http::Method;
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, OpenApiBuilder, Paths, RefOr, Required, ResponseBuilder,
    ResponsesBuilder,
    path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn},
    request_body::RequestBodyBuilder,
    schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Ref, Schema, SchemaFormat, SchemaType, Type},
    security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
};

use super::{
    schemas::Types,
    table::{Route, Table},
};
use crate::{graph::LiveGraph, operation::parts};

/// Error statuses every route may answer (docs/design.md §5).
const ERRORS: [(u16, &str); 9] = [
    (400, "The request is malformed: a parameter, the body or a variable (`BAD_USER_INPUT`)"),
    (401, "Credentials were presented and refused (`UNAUTHENTICATED`)"),
    (403, "Not allowed, or the person has not consented (`FORBIDDEN`, `CONSENT_REQUIRED`)"),
    (404, "No such thing visible to the caller (`NOT_FOUND`)"),
    (409, "The change conflicts with the current state, or a reused `Idempotency-Key` (`CONFLICT`)"),
    (429, "Too many requests or a budget spent (`RATE_LIMITED`, `BUDGET_EXCEEDED`); see `Retry-After`"),
    (500, "A fault of the platform; the detail is in its log (`INTERNAL`)"),
    (502, "A service behind the router did not answer (`SUBGRAPH_UNAVAILABLE`)"),
    (503, "Not ready yet, or no provider configured (`NOT_READY`, `AI_PROVIDER_NOT_CONFIGURED`)"),
];

/// The document for `table` over `graph`, serialized.
pub fn document(table: &Table, graph: &LiveGraph) -> Vec<u8> {
    let schema = graph.planner.consumer_document();
    let mut types = Types::new(&schema);
    let mut paths = Paths::new();
    for route in &table.routes {
        let Some(doc) = runnable(route, graph, &schema) else {
            tracing::debug!(path = %route.path, "REST route left out: the loaded graph cannot run it");
            continue;
        };
        let operation = operation(route, &doc, graph, &mut types);
        paths.add_path_operation(&route.template, vec![http_method(&route.method)], operation);
    }
    let mut components = ComponentsBuilder::new()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        )
        .security_scheme("apiKey", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))))
        .schema("Error", error_schema());
    for (name, schema) in std::mem::take(&mut types.components) {
        components = components.schema(name, schema);
    }
    let info = InfoBuilder::new()
        .title("Backbone REST API")
        .version("1")
        .description(Some(
            "Stored GraphQL operations of the Backbone graph over HTTP. Every route runs through the same \
             pipeline as `/graphql` (authentication, limits, plans). Errors carry the stable code of \
             docs/design.md §5.",
        ))
        .build();
    let api = OpenApiBuilder::new().info(info).paths(paths).components(Some(components.build())).build();
    serde_json::to_vec(&api).unwrap_or_default()
}

/// The route's operation parsed, when it validates against the graph.
fn runnable(
    route: &Route,
    graph: &LiveGraph,
    schema: &graphql_tools::static_graphql::schema::Document,
) -> Option<Document<'static, String>> {
    let doc = graphql_tools::parser::parse_query::<String>(&route.operation.text).ok()?.into_static();
    validate(schema, &doc, &graph.validation).is_empty().then_some(doc)
}

fn operation(
    route: &Route,
    doc: &Document<'static, String>,
    graph: &LiveGraph,
    types: &mut Types<'_>,
) -> utoipa::openapi::path::Operation {
    let mut b = OperationBuilder::new()
        .operation_id(Some(route.operation.name.clone()))
        .summary(route.summary.clone())
        .tags(route.tag.clone().map(|t| vec![t]));
    for name in &route.params {
        let ty = route.operation.variable(name).map(|v| v.var_type.clone());
        let schema = ty.as_ref().map(|t| types.input(t));
        b = b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(schema),
        );
    }
    for v in route.query_variables() {
        let required = matches!(v.var_type, graphql_tools::static_graphql::query::Type::NonNullType(_))
            && v.default_value.is_none();
        b = b.parameter(
            ParameterBuilder::new()
                .name(&v.name)
                .parameter_in(ParameterIn::Query)
                .required(if required { Required::True } else { Required::False })
                .schema(Some(types.input(&v.var_type))),
        );
    }
    if route.takes_body() {
        b = b.request_body(request_body(route, types));
    }
    if route.takes_body() && route.operation.kind == super::table::Kind::Mutation {
        b = b.parameter(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("A repeat with the same key and body gets the first answer again"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).max_length(Some(255)).build())),
        );
    }
    let mut responses = ResponsesBuilder::new().response(
        route.status.to_string(),
        ResponseBuilder::new()
            .description("The operation's answer")
            .content("application/json", Content::new(Some(answer_schema(route, doc, graph, types)))),
    );
    for (status, description) in ERRORS {
        let error = Content::new(Some(Ref::from_schema_name("Error")));
        responses = responses.response(
            status.to_string(),
            ResponseBuilder::new().description(description).content("application/json", error),
        );
    }
    let mut security = vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("apiKey", Vec::<String>::new()),
    ];
    if route.anonymous {
        security.push(SecurityRequirement::default());
    }
    b.responses(responses.build()).securities(Some(security)).build()
}

fn request_body(route: &Route, types: &mut Types<'_>) -> Option<utoipa::openapi::request_body::RequestBody> {
    let vars = &route.operation.variables;
    let (schema, required) = match &route.body {
        Some(name) => {
            let def = route.operation.variable(name)?;
            (
                types.input(&def.var_type),
                matches!(def.var_type, graphql_tools::static_graphql::query::Type::NonNullType(_)),
            )
        }
        None => {
            let mut object = ObjectBuilder::new().schema_type(Type::Object);
            let mut any_required = false;
            for v in vars.iter().filter(|v| !route.params.contains(&v.name)) {
                object = object.property(&v.name, types.input(&v.var_type));
                if matches!(v.var_type, graphql_tools::static_graphql::query::Type::NonNullType(_))
                    && v.default_value.is_none()
                {
                    object = object.required(&v.name);
                    any_required = true;
                }
            }
            (RefOr::T(Schema::Object(object.build())), any_required)
        }
    };
    let mut body = RequestBodyBuilder::new()
        .required(Some(if required { Required::True } else { Required::False }))
        .content("application/json", Content::new(Some(schema)));
    if route.raw_body.is_some() {
        let binary = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        body = body.content("application/pdf", Content::new(Some(binary.build())));
    }
    Some(body.build())
}

/// The answer's shape: the only root field's value (never null: null is
/// 404), or the whole `data`.
fn answer_schema(
    route: &Route,
    doc: &Document<'static, String>,
    graph: &LiveGraph,
    types: &Types<'_>,
) -> Schema {
    let fragments: Vec<_> = doc
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some(f.clone()),
            Definition::Operation(_) => None,
        })
        .collect();
    let Some(Definition::Operation(op)) =
        doc.definitions.iter().find(|d| matches!(d, Definition::Operation(_)))
    else {
        return Schema::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build());
    };
    let supergraph = graph.planner.supergraph();
    let root_type = match route.operation.kind {
        super::table::Kind::Mutation => supergraph.mutation_type.clone().unwrap_or_else(|| "Mutation".into()),
        super::table::Kind::Query | super::table::Kind::Subscription => supergraph.query_type.clone(),
    };
    let data = types.selection(&root_type, parts(op).selection_set, &fragments, false);
    match (&route.operation.root, data) {
        (Some(root), Schema::Object(mut object)) => match object.properties.remove(root) {
            Some(RefOr::T(Schema::Object(mut field))) => {
                if let SchemaType::Array(list) = &field.schema_type {
                    let kept: Vec<Type> = list.iter().filter(|t| **t != Type::Null).cloned().collect();
                    field.schema_type = SchemaType::from_iter(kept);
                }
                if let Some(values) = &mut field.enum_values {
                    values.retain(|v| !v.is_null());
                }
                Schema::Object(field)
            }
            Some(RefOr::T(other)) => other,
            _ => Schema::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build()),
        },
        (_, data) => data,
    }
}

fn error_schema() -> Schema {
    let string = || ObjectBuilder::new().schema_type(Type::String).build();
    let error = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("code", string())
        .property("message", string())
        .property("reason", string())
        .required("code")
        .required("message");
    let errors = ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object).build());
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("error", error.build())
            .property("errors", errors.build())
            .required("error")
            .build(),
    )
}

fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}
