//! The live graph: everything derived from one supergraph (planner, API
//! schema, validation, subgraph endpoints), built once and swapped
//! atomically on reload so in-flight requests finish on the graph they
//! started with.

use std::{collections::HashMap, sync::Arc, time::Duration};

use backbone_edge::config::{RouterConfig, SubgraphConfig};
use graphql_tools::validation::{rules::default_rules_validation_plan, validate::ValidationPlan};

use crate::{
    compose::{self, SubgraphSdl},
    execute::{SubgraphClient, SubgraphEndpoint},
    planner::Planner,
    variables::InputTypes,
};

/// Failures while building a graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Reading the supergraph file or a subgraph SDL failed.
    #[error("{0}")]
    Source(String),
    /// Composition failed.
    #[error(transparent)]
    Compose(#[from] compose::CompositionErrors),
    /// The planner rejected the supergraph.
    #[error(transparent)]
    Plan(#[from] crate::planner::PlanError),
}

/// One loaded supergraph.
pub struct LiveGraph {
    /// The supergraph SDL it was built from.
    pub supergraph_sdl: String,
    /// Planner and plan cache.
    pub planner: Planner,
    /// Client for the supergraph's subgraphs.
    pub client: SubgraphClient,
    /// Validation rules.
    pub validation: ValidationPlan,
    /// Input types for variable checks.
    pub inputs: InputTypes,
    /// The object types each interface and union covers.
    pub possible: crate::execute::PossibleTypes,
    /// What clients may see (the API schema's types and enum values).
    pub visible: crate::visible::Visible,
    /// Validated documents by query text (bounded LRU).
    documents: parking_lot::Mutex<lru::LruCache<u64, Arc<crate::request::Prepared>>>,
}

impl LiveGraph {
    /// Builds a graph from a supergraph SDL; subgraph URLs come from its
    /// `join__Graph` enum unless `overrides` names them.
    pub fn new(supergraph_sdl: String, config: &RouterConfig) -> Result<Self, GraphError> {
        let planner = Planner::new(&supergraph_sdl, config.plan_cache_size)?;
        let timeout = Duration::from_millis(config.subgraph_timeout_ms);
        let mut endpoints: HashMap<String, SubgraphEndpoint> = planner
            .supergraph()
            .subgraph_endpoint_map
            .iter()
            .map(|(name, url)| (name.clone(), SubgraphEndpoint { url: url.clone(), timeout }))
            .collect();
        for s in &config.subgraphs {
            endpoints.insert(s.name.clone(), SubgraphEndpoint { url: s.url.clone(), timeout });
        }
        let inputs = InputTypes::new(&planner.consumer_document());
        let visible = crate::visible::Visible::new(&planner.consumer_document(), &supergraph_sdl);
        let possible = crate::execute::PossibleTypes::new(planner.supergraph());
        let cap =
            std::num::NonZeroUsize::new(config.plan_cache_size.max(1)).unwrap_or(std::num::NonZeroUsize::MIN);
        Ok(Self {
            documents: parking_lot::Mutex::new(lru::LruCache::new(cap)),
            supergraph_sdl,
            planner,
            client: SubgraphClient::new(endpoints),
            validation: default_rules_validation_plan(),
            inputs,
            possible,
            visible,
        })
    }
    /// A document validated before, by text key.
    pub fn prepared(&self, key: u64) -> Option<Arc<crate::request::Prepared>> {
        self.documents.lock().get(&key).cloned()
    }

    /// Remembers a validated document.
    pub fn remember(&self, key: u64, prepared: crate::request::Prepared) -> Arc<crate::request::Prepared> {
        let prepared = Arc::new(prepared);
        self.documents.lock().put(key, prepared.clone());
        prepared
    }
}

/// Where the supergraph comes from, read fresh on every (re)load.
pub async fn supergraph_source(config: &RouterConfig, http: &reqwest::Client) -> Result<String, GraphError> {
    if let Some(path) = &config.supergraph_path {
        return tokio::fs::read_to_string(path)
            .await
            .map_err(|e| GraphError::Source(format!("supergraph file {}: {e}", path.display())));
    }
    if config.subgraphs.is_empty() {
        return Err(GraphError::Source("configure router.supergraph_path or router.subgraphs".into()));
    }
    let mut sdls = Vec::new();
    for s in &config.subgraphs {
        sdls.push(SubgraphSdl {
            name: s.name.clone(),
            url: s.url.clone(),
            sdl: subgraph_sdl(s, http).await?,
        });
    }
    Ok(compose::compose(&sdls)?)
}

/// A subgraph's SDL, from its file or live from `_service { sdl }`.
pub async fn subgraph_sdl(s: &SubgraphConfig, http: &reqwest::Client) -> Result<String, GraphError> {
    if let Some(path) = &s.sdl_path {
        return tokio::fs::read_to_string(path)
            .await
            .map_err(|e| GraphError::Source(format!("SDL file of {}: {e}", s.name)));
    }
    let body: serde_json::Value = http
        .post(&s.url)
        .json(&serde_json::json!({"query": "{ _service { sdl } }"}))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| GraphError::Source(format!("subgraph {} unreachable: {e}", s.name)))?
        .json()
        .await
        .map_err(|e| GraphError::Source(format!("subgraph {} answered no JSON: {e}", s.name)))?;
    body["data"]["_service"]["sdl"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| GraphError::Source(format!("subgraph {} has no _service {{ sdl }}", s.name)))
}

/// Shared handle type.
pub type SharedGraph = Arc<arc_swap::ArcSwapOption<LiveGraph>>;
