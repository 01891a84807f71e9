//! Settings of the platform's outside services: calls between Backbone
//! services, and the LLM provider.

use secrecy::SecretString;
use serde::Deserialize;

/// Calls between Backbone services (not through the router).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServicesConfig {
    /// Base URL of the consent subgraph (`http://host:port`), asked by the
    /// ai and memory subgraphs before they touch a person's data. Dev mode
    /// fills it in.
    pub consent_url: Option<String>,
    /// Shared secret on `/internal/*` endpoints (consent checks, DSAR and
    /// retention). Unset: a random one per process, which is right for dev
    /// mode (one process) and refuses every cross-process call otherwise.
    pub internal_token: Option<SecretString>,
}

/// A service a subgraph cannot work without when it runs as its own
/// process (`backbone subgraph NAME`); dev mode fills each in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The consent subgraph, asked before a person's data is touched.
    Consent,
    /// Every service that keeps personal data, which DSAR exports and
    /// erasures fan out to (`consent.data_services`).
    DataServices,
}

impl Needs {
    /// The key as written in backbone.toml, and in the environment.
    pub fn key(self) -> (&'static str, &'static str) {
        match self {
            Self::Consent => ("services.consent_url", "BACKBONE_SERVICES__CONSENT_URL"),
            Self::DataServices => ("consent.data_services", "BACKBONE_CONSENT__DATA_SERVICES"),
        }
    }
}

/// The LLM provider behind the AI gateway and memory's provider embeddings:
/// any OpenAI-compatible endpoint, or Azure OpenAI.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Base URL, e.g. `https://api.openai.com/v1`. Unset: no provider, every
    /// AI call fails with `AI_PROVIDER_NOT_CONFIGURED` and memory embeds locally.
    pub base_url: Option<String>,
    /// API key.
    pub api_key: Option<SecretString>,
    /// Chat model.
    pub model: String,
    /// Embedding model; unset: memory uses the local embedder.
    pub embedding_model: Option<String>,
    /// Azure OpenAI: API version; when set, `base_url` is the Azure
    /// resource and `azure_deployment` the deployment.
    pub azure_api_version: Option<String>,
    /// Azure OpenAI deployment id.
    pub azure_deployment: Option<String>,
    /// Per-attempt timeout, in ms.
    pub timeout_ms: u64,
    /// Retries after a 429, a 5xx or a timeout.
    pub max_retries: u32,
    /// First retry delay, in ms; doubles each retry.
    pub retry_base_ms: u64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            api_key: None,
            model: "gpt-4o-mini".into(),
            embedding_model: None,
            azure_api_version: None,
            azure_deployment: None,
            timeout_ms: 30_000,
            max_retries: 2,
            retry_base_ms: 200,
        }
    }
}
