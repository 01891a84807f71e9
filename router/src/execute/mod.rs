//! Executing query plans: fetches to subgraphs (root and `_entities`),
//! sequences, parallel branches, flattening into lists, conditions; results
//! merged into one response tree that [`crate::project`] then shapes.
//!
//! The merged data lives behind a mutex that is held only while reading
//! representations or merging results, never across a subgraph call, so
//! parallel branches overlap their network time.

mod entities;
mod inflight;
mod paths;
mod possible;
mod rewrites;
mod subgraphs;

use std::sync::Arc;

use futures::future::{BoxFuture, FutureExt, join_all};
use hive_router_query_planner::planner::plan_nodes::{FetchNode, PlanNode, QueryPlan};
use parking_lot::Mutex;
use serde_json::{Map, Value};

pub use possible::PossibleTypes;
pub use subgraphs::{LocalSubgraph, SubgraphClient, SubgraphEndpoint};

/// The subscription node of a plan: the fetch that opens the stream.
pub fn subscription_fetch(plan: &QueryPlan) -> Option<&FetchNode> {
    match plan.node.as_ref()? {
        PlanNode::Subscription(s) => Some(&s.primary),
        PlanNode::Sequence(seq) => seq.nodes.iter().find_map(|n| match n {
            PlanNode::Subscription(s) => Some(&s.primary),
            _ => None,
        }),
        _ => None,
    }
}

/// What one plan execution produced.
#[derive(Debug, Default)]
pub struct Executed {
    /// Merged data, not yet shaped to the client's selection.
    pub data: Value,
    /// GraphQL errors, already re-pathed to client paths.
    pub errors: Vec<Value>,
}

/// Per-request execution state.
pub(crate) struct Run<'a> {
    pub client: &'a SubgraphClient,
    pub possible: &'a PossibleTypes,
    pub variables: &'a Map<String, Value>,
    pub headers: &'a reqwest::header::HeaderMap,
    /// Data came from a subscription event; its node is already done.
    pub seeded: bool,
    pub data: Mutex<Value>,
    pub errors: Mutex<Vec<Value>>,
}

/// Executes `plan` with the request's variables, forwarding `headers`.
pub async fn execute(
    client: &SubgraphClient,
    possible: &PossibleTypes,
    plan: &QueryPlan,
    variables: &Map<String, Value>,
    headers: &reqwest::header::HeaderMap,
) -> Executed {
    execute_seeded(client, possible, plan, variables, headers, None).await
}

/// Executes `plan` starting from `seed` data, as for one event of a
/// subscription: the seed is what the subscription node's fetch produced,
/// and the rest of the plan (entity fetches to other subgraphs) runs on it.
pub async fn execute_seeded(
    client: &SubgraphClient,
    possible: &PossibleTypes,
    plan: &QueryPlan,
    variables: &Map<String, Value>,
    headers: &reqwest::header::HeaderMap,
    seed: Option<Value>,
) -> Executed {
    let seeded = seed.is_some();
    let run = Arc::new(Run {
        client,
        possible,
        variables,
        headers,
        seeded,
        data: Mutex::new(seed.unwrap_or_else(|| Value::Object(Map::new()))),
        errors: Mutex::new(Vec::new()),
    });
    if let Some(node) = &plan.node {
        run_node(&run, node).await;
    }
    let data = std::mem::take(&mut *run.data.lock());
    let errors = std::mem::take(&mut *run.errors.lock());
    Executed { data, errors }
}

fn run_node<'a>(run: &'a Arc<Run<'a>>, node: &'a PlanNode) -> BoxFuture<'a, ()> {
    async move {
        match node {
            PlanNode::Fetch(fetch) => root_fetch(run, fetch).await,
            PlanNode::Flatten(flatten) => match flatten.node.as_ref() {
                PlanNode::Fetch(fetch) => entities::fetch(run, flatten.path.as_slice(), fetch).await,
                other => unsupported(run, other),
            },
            PlanNode::BatchFetch(batch) => entities::batch(run, batch).await,
            PlanNode::Sequence(seq) => {
                for n in &seq.nodes {
                    run_node(run, n).await;
                }
            }
            PlanNode::Parallel(par) => {
                join_all(par.nodes.iter().map(|n| run_node(run, n))).await;
            }
            PlanNode::Condition(cond) => {
                let on = matches!(run.variables.get(&cond.condition), Some(Value::Bool(true)));
                let branch = if on { &cond.if_clause } else { &cond.else_clause };
                if let Some(n) = branch {
                    run_node(run, n).await;
                }
            }
            PlanNode::Subscription(_) if run.seeded => {}
            other => unsupported(run, other),
        }
    }
    .boxed()
}

fn unsupported(run: &Run<'_>, node: &PlanNode) {
    let kind = match node {
        PlanNode::Subscription(_) => "subscription",
        PlanNode::Defer(_) => "@defer",
        _ => "plan node",
    };
    let unsupported =
        crate::error::PipelineError::Unsupported(format!("{kind} is not supported by this router yet"));
    run.errors.lock().extend(unsupported.graphql());
}

/// The variables a fetch uses.
pub(crate) fn used_variables(
    run: &Run<'_>,
    usages: Option<&std::collections::BTreeSet<String>>,
) -> subgraphs::Variables {
    let mut vars = subgraphs::Variables::default();
    for name in usages.into_iter().flatten() {
        if let Some(v) = run.variables.get(name) {
            vars.values.insert(name.clone(), v.clone());
        }
    }
    vars
}

async fn root_fetch(run: &Run<'_>, fetch: &FetchNode) {
    let vars = used_variables(run, fetch.variable_usages.as_ref());
    // Only queries may share an in-flight request; a mutation always runs.
    let is_query = !matches!(
        fetch.operation_kind,
        Some(hive_router_query_planner::state::supergraph_state::OperationKind::Mutation)
    );
    let Some(mut response) =
        run.client.send(run, &fetch.service_name, &fetch.operation.document_str, vars, is_query).await
    else {
        return;
    };
    if let Some(rewrites) = &fetch.output_rewrites {
        rewrites::apply_all(run.possible, &mut response.data, rewrites);
    }
    {
        let mut data = run.data.lock();
        paths::deep_merge(&mut data, response.data);
    }
    let mut errors = run.errors.lock();
    for mut e in response.errors {
        subgraphs::tag_service(&mut e, &fetch.service_name);
        errors.push(e);
    }
}
