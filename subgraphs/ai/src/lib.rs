//! The AI subgraph: the LLM gateway over async-openai and any
//! OpenAI-compatible endpoint — versioned prompt templates, consent checks,
//! token budgets, PII masking, safety checks, logging, streaming,
//! `Tenant.aiUsage` (docs/design.md §7).

pub mod domain;
pub mod graphql;

use std::{sync::Arc, time::Duration};

use async_graphql::Schema;
use axum::Router;
use subgraph_kit::{Kit, internal::InternalClient};

pub use graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

use domain::{data::AiData, gateway::Gateway};

/// The subgraph's name in the supergraph.
pub const NAME: &str = "ai";

/// The AI schema type.
pub type AiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The gateway of `kit`'s configuration.
pub fn gateway(kit: &Kit) -> Gateway {
    Gateway {
        provider: subgraph_kit::llm::provider(&kit.config.ai),
        consent: InternalClient::new((*kit.internal_token).clone(), Duration::from_secs(5)),
        config: kit.config.ai.clone(),
    }
}

/// Builds the schema over `kit`.
pub fn schema(kit: &Kit) -> AiSchema {
    subgraph_kit::graphql::configure(Schema::build(QueryRoot, MutationRoot, SubscriptionRoot), kit)
        .data(gateway(kit))
        .finish()
}

/// The HTTP app: `/graphql` (HTTP and WebSocket), `/playground`, `/health`,
/// `/ready` and the data contract.
pub fn app(kit: &Kit) -> Router {
    let routes = subgraph_kit::graphql::routes(schema(kit), kit.clone())
        .merge(subgraph_kit::contract::routes(kit.clone(), Arc::new(AiData)));
    subgraph_kit::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
}

/// The federation SDL this subgraph exports.
pub fn sdl(kit: &Kit) -> String {
    schema(kit).sdl_with_options(async_graphql::SDLExportOptions::new().federation().compose_directive())
}
