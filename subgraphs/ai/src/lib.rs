//! The AI subgraph: the LLM gateway over async-openai and any
//! OpenAI-compatible endpoint — versioned prompt templates, consent checks,
//! token budgets, PII masking, safety checks, logging, streaming,
//! `Tenant.aiUsage` (docs/design.md §7).

pub mod config;
pub mod domain;
mod graphql;
pub mod permissions;

use std::{sync::Arc, time::Duration};

use async_graphql::Schema;
use subgraph_kit::{
    Kit,
    contract::DataContract,
    internal::InternalClient,
    subgraph::{Shutdown, Subgraph},
};

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

use domain::{data::AiData, gateway::Gateway};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "ai";

/// The AI schema type.
pub type AiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The gateway of `kit`'s configuration.
pub fn gateway(kit: &Kit) -> Gateway {
    Gateway {
        provider: subgraph_kit::llm::provider(&kit.config.llm),
        consent: InternalClient::new((*kit.internal_token).clone(), Duration::from_secs(5)),
        llm: kit.config.llm.clone(),
        config: Ai::settings(kit),
    }
}

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> AiSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit)
        .data(gateway(kit))
        .finish()
}

/// The AI subgraph.
pub struct Ai;

impl Subgraph for Ai {
    type Query = QueryRoot;
    type Mutation = MutationRoot;
    type Subscription = SubscriptionRoot;
    type Config = config::AiConfig;
    const NAME: &'static str = NAME;
    const PERMISSIONS: &'static [subgraph_kit::rbac::catalog::Permission] = permissions::PERMISSIONS;
    const DEFAULT_GRANTS: &'static [subgraph_kit::rbac::catalog::Grant] = permissions::DEFAULT_GRANTS;
    const NEEDS: &'static [subgraph_kit::config::Needs] = &[subgraph_kit::config::Needs::Consent];

    fn schema(&self, kit: &Kit) -> AiSchema {
        schema(kit)
    }

    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        Some(Arc::new(AiData))
    }

    /// Keeps each tenant's budget in step with the platform's changes to
    /// it (`tenant.updated` with `aiTokenBudget`).
    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<tokio::task::JoinHandle<()>> {
        let kit = kit.clone();
        vec![tokio::spawn(async move {
            let member = format!("ai-{}", uuid::Uuid::new_v4());
            let default_limit = Ai::settings(&kit).default_budget_tokens;
            subgraph_kit::bus::consumer::run(&kit, domain::budget::CONSUMER, &member, shutdown, |event| {
                let db = kit.db.clone();
                async move { domain::budget::follow(&db, &event, default_limit).await }
            })
            .await;
        })]
    }
}
