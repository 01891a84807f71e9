//! The LLM provider client (async-openai over any OpenAI-compatible
//! endpoint, or Azure OpenAI), built from `[llm]`, shared by the AI gateway
//! and by memory's provider embeddings.

use std::time::Duration;

use async_openai::{
    Client,
    config::{AzureConfig, Config, OpenAIConfig},
    middleware::ReqwestService,
};
use secrecy::ExposeSecret;

use crate::config::LlmConfig;

/// A provider client.
pub type Provider = Client<std::sync::Arc<dyn Config>>;

/// The configured provider; `None` when `llm.base_url` is unset. The HTTP
/// client has no timeout of its own: callers bound each attempt with
/// `llm.timeout_ms`, streams included.
pub fn provider(cfg: &LlmConfig) -> Option<Provider> {
    let base = cfg.base_url.as_deref()?.trim_end_matches('/');
    let key = cfg.api_key.as_ref().map(|k| k.expose_secret().to_owned()).unwrap_or_default();
    let config: std::sync::Arc<dyn Config> = match (&cfg.azure_api_version, &cfg.azure_deployment) {
        (Some(version), Some(deployment)) => std::sync::Arc::new(
            AzureConfig::new()
                .with_api_base(base)
                .with_api_key(key)
                .with_api_version(version)
                .with_deployment_id(deployment),
        ),
        _ => std::sync::Arc::new(OpenAIConfig::new().with_api_base(base).with_api_key(key)),
    };
    let http = crate::auth::http_client_builder()
        .connect_timeout(Duration::from_millis(cfg.timeout_ms.min(10_000)))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_default();
    // Our own retry loop (AI gateway) counts attempts for the log and bounds
    // each one with the timeout, so async-openai's built-in retry layer is
    // left out: the client sends each request exactly once.
    Some(Client::with_config(config).with_http_service(ReqwestService::new(http)))
}
