//! One GraphQL request through the router: parse, limit, validate, check
//! variables, authenticate, plan (cached), execute, shape.

use std::sync::Arc;

use backbone_edge::{auth::TokenVerifier, config::RouterConfig};
use graphql_tools::{
    parser::query::Definition, static_graphql::query::Document, validation::validate::validate,
};
use reqwest::header::{HeaderMap, HeaderName};

use serde_json::{Map, Value, json};

use crate::{
    error::{LimitKind, PipelineError},
    execute,
    graph::{LiveGraph, SharedGraph},
    introspection, limits,
    planner::{PlanError, text_key},
    project,
    request::{Caller, GraphQLRequest, Outcome, Prepared},
    telemetry,
};

/// A request past authentication, parsing, validation and variable checks.
pub struct Admitted {
    /// The graph it was admitted on (kept for its whole life).
    pub graph: Arc<LiveGraph>,
    /// The validated document.
    pub prepared: Arc<Prepared>,
    /// Text key of the document (plan cache).
    pub key: u64,
    /// Variable values.
    pub variables: Map<String, Value>,
    /// Who is calling.
    pub caller: Caller,
    /// Which operation of the document.
    pub operation_name: Option<String>,
}

/// The router's request handling, independent of HTTP framing.
pub struct Pipeline {
    /// The current graph (swapped on reload).
    pub graph: SharedGraph,
    /// Router settings.
    pub config: Arc<RouterConfig>,
    /// Bearer token verification (same config as the subgraphs).
    pub verifier: Arc<TokenVerifier>,
    /// Exchanged API key tokens.
    pub api_keys: crate::api_keys::ApiKeyExchange,
    /// Request rates at the edge.
    pub rate: crate::rate::RateLimits,
}

const FORWARDED: [&str; 5] = ["authorization", "x-api-key", "x-request-id", "x-forwarded-for", "user-agent"];

impl Pipeline {
    /// Handles one request. `get` marks GET requests (queries only).
    pub async fn handle(&self, request: GraphQLRequest, headers: &HeaderMap, get: bool) -> Outcome {
        let started = std::time::Instant::now();
        let mut name = request.operation_name.clone();
        let result = self.run(request, headers, get, &mut name).await;
        let operation = telemetry::operation(name.as_deref());
        match result {
            Ok(o) => {
                telemetry::request(operation, if o.partial { "partial" } else { "ok" }, started);
                o
            }
            Err(e) => {
                telemetry::request(operation, e.code().as_str(), started);
                e.into()
            }
        }
    }

    /// Runs a request; `name` is the operation's name as the client sent
    /// it, else as the document gives it once parsed.
    async fn run(
        &self,
        request: GraphQLRequest,
        headers: &HeaderMap,
        get: bool,
        name: &mut Option<String>,
    ) -> Result<Outcome, PipelineError> {
        let admitted = self.admit(request, headers).await?;
        let parts = admitted.prepared.parts()?;
        if name.is_none() {
            *name = parts.name.map(str::to_owned);
        }
        if get && parts.is_mutation {
            return Err(PipelineError::Method("mutations must be sent with POST".into()));
        }
        if parts.is_subscription {
            return Err(PipelineError::BadRequest(
                "subscriptions need a WebSocket: connect to /graphql with graphql-transport-ws or graphql-ws"
                    .into(),
            ));
        }
        self.answer(&admitted).await
    }

    /// Answers an admitted query or mutation (introspection included).
    pub async fn answer(&self, a: &Admitted) -> Result<Outcome, PipelineError> {
        let (graph, doc, root_fields) = (&a.graph, &a.prepared.doc, &a.prepared.root_fields);
        if root_fields.iter().any(|f| f == "__schema" || f == "__type") {
            if self.config.introspection != Some(true) {
                return Err(PipelineError::Validation(vec!["introspection is disabled".into()]));
            }
            if root_fields.iter().all(|f| f.starts_with("__")) {
                let data = introspection::resolve(
                    &graph.planner.consumer_document(),
                    doc,
                    a.operation_name.as_deref(),
                    &a.variables,
                );
                return Ok(Outcome::json(200, &json!({"data": data})));
            }
            return Err(PipelineError::Validation(vec![
                "introspection fields cannot be mixed with other root fields".into(),
            ]));
        }
        Ok(self
            .execute(graph, a.key, doc, a.operation_name.as_deref(), &a.variables, &a.caller.forward)
            .await)
    }

    /// Authenticates, parses (cached), limits, validates and checks the
    /// variables of a request.
    pub async fn admit(
        &self,
        request: GraphQLRequest,
        headers: &HeaderMap,
    ) -> Result<Admitted, PipelineError> {
        let graph = self.graph.load_full().ok_or(PipelineError::NotReady)?;
        let query = request
            .query
            .filter(|q| !q.trim().is_empty())
            .ok_or_else(|| PipelineError::BadRequest("missing query".into()))?;
        let mut variables = match request.variables {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(PipelineError::BadRequest("variables must be an object".into())),
        };
        let caller = self.authenticate(headers).await?;
        let key = text_key(&query, request.operation_name.as_deref());
        let prepared = match graph.prepared(key) {
            Some(p) => p,
            None => graph.remember(key, self.prepare(&graph, &query, request.operation_name.as_deref())?),
        };
        graph.inputs.check(prepared.parts()?.variables, &mut variables)?;
        Ok(Admitted { graph, prepared, key, variables, caller, operation_name: request.operation_name })
    }

    /// Parses, limits and validates a document the graph has not seen.
    fn prepare(
        &self,
        graph: &LiveGraph,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Prepared, PipelineError> {
        let doc = parse(query, self.config.max_tokens)?;
        limits::check(&doc, &self.config)?;
        let errors = validate(&graph.planner.consumer_document(), &doc, &graph.validation);
        if !errors.is_empty() {
            return Err(PipelineError::Validation(errors.into_iter().map(|e| e.message).collect()));
        }
        let operation = choose_operation(&doc, operation_name)?;
        let prepared = Prepared { operation, root_fields: Vec::new(), doc };
        let root_fields = prepared
            .parts()?
            .selection_set
            .items
            .iter()
            .filter_map(|s| match s {
                graphql_tools::parser::query::Selection::Field(f) => Some(f.name.clone()),
                _ => None,
            })
            .collect();
        Ok(Prepared { root_fields, ..prepared })
    }

    async fn execute(
        &self,
        graph: &LiveGraph,
        key: u64,
        doc: &Document,
        operation_name: Option<&str>,
        variables: &Map<String, Value>,
        forward: &HeaderMap,
    ) -> Outcome {
        let planned = match graph.planner.plan(key, doc, operation_name) {
            Ok(p) => p,
            Err(PlanError::Invalid(m)) => return PipelineError::Validation(vec![m]).into(),
            Err(e) => {
                tracing::error!(error = %e, "planning failed");
                return PipelineError::Internal("could not plan the operation".into()).into();
            }
        };
        let executed =
            execute::execute(&graph.client, &graph.possible, &planned.plan, variables, forward).await;
        let partial = !executed.errors.is_empty();
        let supergraph = graph.planner.supergraph();
        let root = match planned.kind {
            hive_router_query_planner::state::supergraph_state::OperationKind::Mutation => {
                supergraph.mutation_type.clone().unwrap_or_else(|| "Mutation".into())
            }
            _ => supergraph.query_type.clone(),
        };
        let body = project::response(
            supergraph,
            &graph.visible,
            &planned.operation,
            &root,
            &executed.data,
            variables,
            executed.errors,
        );
        Outcome { status: 200, body, retry_after: None, partial }
    }

    /// Verifies a bearer token (or exchanges an API key) when present, and
    /// holds the caller to the rate limits: an address cut off for refused
    /// credentials is refused before anything is checked, a refused
    /// credential counts against its address, and an admitted request
    /// against its tenant and principal (or, anonymous, its address).
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, PipelineError> {
        let ip = headers
            .get(backbone_edge::client_ip::FORWARDED_FOR)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<std::net::IpAddr>().ok());
        self.rate.admit_address(ip).await?;
        let caller = match self.credentials(headers).await {
            Err(refused @ PipelineError::Unauthenticated(_)) => {
                return Err(self.rate.refused(ip, refused).await);
            }
            other => other?,
        };
        match caller.identity {
            Some((tenant, principal)) => self.rate.caller(tenant, principal).await?,
            None => self.rate.anonymous(ip).await?,
        }
        Ok(caller)
    }

    async fn credentials(&self, headers: &HeaderMap) -> Result<Caller, PipelineError> {
        let mut identity = None;
        if let Some(value) = headers.get("authorization") {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(|| {
                PipelineError::Unauthenticated("Authorization must be `Bearer <token>`".into())
            })?;
            let claims = self
                .verifier
                .verify(token.trim())
                .await
                .map_err(|e| PipelineError::Unauthenticated(e.client_message().into()))?;
            identity = Some((claims.tid, claims.sub));
        }
        let mut forward = HeaderMap::new();
        for name in FORWARDED {
            if let Some(v) = headers.get(name) {
                forward.insert(HeaderName::from_static(name), v.clone());
            }
        }
        if !headers.contains_key("authorization")
            && let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok())
            && let Some(token) =
                self.api_keys.exchange(key, self.config.api_key_exchange_url.as_deref()).await?
        {
            forward.remove("x-api-key");
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| PipelineError::Unauthenticated("invalid API key".into()))?;
            forward.insert(HeaderName::from_static("authorization"), value);
            if let Ok(claims) = self.verifier.verify(&token).await {
                identity = Some((claims.tid, claims.sub));
            }
        }
        Ok(Caller { forward, identity })
    }
}

fn parse(query: &str, max_tokens: usize) -> Result<Document, PipelineError> {
    graphql_tools::parser::parse_query_with_token_limit::<String>(query, max_tokens)
        .map(|d| d.into_static())
        .map_err(|e| {
            let message = e.to_string();
            if message.contains("Token limit exceeded") {
                PipelineError::Limit { limit: LimitKind::Tokens, actual: None, max: max_tokens }
            } else if message.contains("Recursion limit exceeded") {
                PipelineError::Limit { limit: LimitKind::Depth, actual: None, max: 50 }
            } else {
                PipelineError::Parse(message.trim().replace('\n', " "))
            }
        })
}

/// The chosen operation's index among the document's definitions.
fn choose_operation(doc: &Document, name: Option<&str>) -> Result<usize, PipelineError> {
    let mut ops = doc.definitions.iter().enumerate().filter_map(|(i, d)| match d {
        Definition::Operation(op) => Some((i, crate::operation::parts(op).name)),
        Definition::Fragment(_) => None,
    });
    match name {
        Some(n) => ops.find(|(_, op)| *op == Some(n)).map(|(i, _)| i),
        None => match (ops.next(), ops.next()) {
            (Some((i, _)), None) => Some(i),
            (Some(_), Some(_)) => {
                return Err(PipelineError::BadRequest(
                    "operationName is required when the document has several operations".into(),
                ));
            }
            _ => None,
        },
    }
    .ok_or_else(|| PipelineError::BadRequest("no operation with that name".into()))
}
