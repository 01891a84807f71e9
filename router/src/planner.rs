//! Query planning behind our own interface, so the planner can be replaced.
//!
//! Planning uses `hive-router-query-planner` (MIT) over an Apollo
//! supergraph SDL. Plans are cached twice, both bounded LRU: by the exact
//! operation text (skips parsing and normalization on the hot path) and by
//! the normalized operation's hash (two spellings of one operation share a
//! plan).

use std::{num::NonZeroUsize, sync::Arc};

use graphql_tools::parser::query::Document;
use hive_router_query_planner::{
    ast::{normalization::normalize_operation, operation::OperationDefinition},
    graph::PlannerOverrideContext,
    planner::{Planner as HivePlanner, plan_nodes::QueryPlan},
    state::supergraph_state::{OperationKind, SupergraphState},
    utils::cancellation::CancellationToken,
};
use lru::LruCache;
use parking_lot::Mutex;

/// Planning failures, client-safe messages.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// The supergraph SDL is unusable.
    #[error("invalid supergraph: {0}")]
    Supergraph(String),
    /// The operation does not fit the schema (unknown field, bad fragment…).
    #[error("{0}")]
    Invalid(String),
    /// No plan could be built for a valid operation.
    #[error("could not plan the operation: {0}")]
    Planning(String),
}

/// A planned operation: the plan and the normalized operation the response
/// is shaped from.
#[derive(Debug)]
pub struct Planned {
    /// The plan to execute.
    pub plan: QueryPlan,
    /// The normalized client operation (fragments inlined, types expanded).
    pub operation: OperationDefinition,
    /// query, mutation or subscription.
    pub kind: OperationKind,
}

/// The planner with its caches.
pub struct Planner {
    inner: HivePlanner,
    by_text: Mutex<LruCache<u64, Arc<Planned>>>,
    by_normalized: Mutex<LruCache<u64, Arc<Planned>>>,
}

impl Planner {
    /// Builds a planner over `supergraph_sdl`, caching up to `capacity`
    /// plans.
    pub fn new(supergraph_sdl: &str, capacity: usize) -> Result<Self, PlanError> {
        let doc = graphql_tools::parser::parse_schema::<String>(supergraph_sdl)
            .map_err(|e| PlanError::Supergraph(e.to_string()))?
            .into_static();
        let inner = HivePlanner::new_from_supergraph(&doc, Default::default())
            .map_err(|e| PlanError::Supergraph(e.to_string()))?;
        let cap = NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        Ok(Self {
            inner,
            by_text: Mutex::new(LruCache::new(cap)),
            by_normalized: Mutex::new(LruCache::new(cap)),
        })
    }

    /// The supergraph's type information.
    pub fn supergraph(&self) -> &SupergraphState {
        &self.inner.supergraph
    }

    /// The API schema clients see (with introspection types).
    pub fn consumer_document(&self) -> std::sync::Arc<graphql_tools::static_graphql::schema::Document> {
        self.inner.consumer_schema.document.clone()
    }

    /// Plans `document`'s operation `operation_name`; `text_key` is a hash
    /// of the request's query text and operation name.
    pub fn plan(
        &self,
        text_key: u64,
        document: &Document<'static, String>,
        operation_name: Option<&str>,
    ) -> Result<Arc<Planned>, PlanError> {
        if let Some(hit) = self.by_text.lock().get(&text_key) {
            crate::telemetry::plan_cache(true);
            return Ok(hit.clone());
        }
        let normalized = normalize_operation(&self.inner.supergraph, document, operation_name)
            .map_err(|e| PlanError::Invalid(e.to_string()))?;
        let operation = normalized.operation;
        let normalized_key = operation.hash();
        if let Some(hit) = self.by_normalized.lock().get(&normalized_key).cloned() {
            crate::telemetry::plan_cache(true);
            self.by_text.lock().put(text_key, hit.clone());
            return Ok(hit);
        }
        crate::telemetry::plan_cache(false);
        let plan = self
            .inner
            .plan_from_normalized_operation(
                &operation,
                PlannerOverrideContext::default(),
                &CancellationToken::new(),
            )
            .map_err(|e| PlanError::Planning(e.to_string()))?;
        let kind = operation.operation_kind.clone().unwrap_or(OperationKind::Query);
        let planned = Arc::new(Planned { plan, operation, kind });
        self.by_normalized.lock().put(normalized_key, planned.clone());
        self.by_text.lock().put(text_key, planned.clone());
        Ok(planned)
    }

    /// How many plans are cached (by normalized operation).
    pub fn cached_plans(&self) -> usize {
        self.by_normalized.lock().len()
    }
}

/// The text cache key of a request.
pub fn text_key(query: &str, operation_name: Option<&str>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(query.as_bytes());
    h.update(&[0]);
    h.update(operation_name.unwrap_or_default().as_bytes());
    h.digest()
}
