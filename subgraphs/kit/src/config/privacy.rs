//! Settings of the consent, AI and memory domains, and of calls between
//! services.

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

/// One subgraph that keeps personal data, for DSAR and retention jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataService {
    /// Subgraph name.
    pub name: String,
    /// Base URL (`http://host:port`); `/internal/data/*` is appended.
    pub url: String,
}

/// Consent, DSAR and retention.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentConfig {
    /// Ed25519 seed signing consent receipts, base64 of 32 bytes. Unset: a
    /// seed derived from `auth.hs256_secret` (or the dev secret), so every
    /// replica signs with the same key; set it in production.
    pub receipt_signing_key: Option<SecretString>,
    /// Hours a DSAR export package can be downloaded.
    pub package_ttl_hours: i64,
    /// How often the DSAR job and the consent-expiry sweep look for work, in ms.
    pub job_tick_ms: u64,
    /// How often retention rules are applied, in seconds.
    pub retention_tick_seconds: u64,
    /// Public base URL of the consent service, for package download links.
    /// Unset: links are relative (`/dsar/packages/…`).
    pub public_url: Option<String>,
    /// Subgraphs a DSAR or retention run covers. Dev mode fills it in.
    pub data_services: Vec<DataService>,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        Self {
            receipt_signing_key: None,
            package_ttl_hours: 72,
            job_tick_ms: 1_000,
            retention_tick_seconds: 3_600,
            public_url: None,
            data_services: Vec::new(),
        }
    }
}

/// The LLM provider behind the AI gateway: any OpenAI-compatible endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiConfig {
    /// Base URL, e.g. `https://api.openai.com/v1`. Unset: no provider, every
    /// AI call fails with `AI_PROVIDER_NOT_CONFIGURED`.
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
    /// Ask the provider's moderation endpoint about each answer.
    pub moderation: bool,
    /// Token budget of a tenant that has none set.
    pub default_budget_tokens: i64,
}

impl Default for AiConfig {
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
            moderation: false,
            default_budget_tokens: 1_000_000,
        }
    }
}

/// Semantic memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryConfig {
    /// Most memories one recall ranks (and one user may keep).
    pub max_per_user: u64,
    /// Users whose vectors stay cached in memory for recall.
    pub cache_users: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self { max_per_user: 200_000, cache_users: 1_000 }
    }
}
