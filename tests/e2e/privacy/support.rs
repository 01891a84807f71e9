//! Shared steps: a graph wired to a fake provider, consent grants, codes.

use serde_json::{Value, json};
use subgraph_kit::testkit::{error_codes, openai::FakeProvider};

use crate::realtime::scene::{Scene, fast};

/// A graph whose AI provider is `provider` (retries fast, timeout 1 s).
pub async fn with_provider(provider: &FakeProvider) -> Scene {
    let base = provider.base_url.clone();
    Scene::start_with(
        move |c| {
            fast(c);
            c.llm.base_url = Some(base);
            c.llm.retry_base_ms = 10;
            c.llm.timeout_ms = 1_000;
        },
        Default::default(),
    )
    .await
}

/// `role` grants (or withdraws) `scope` for themselves.
pub async fn consent(scene: &Scene, role: &'static str, scope: &str, grant: bool) -> Value {
    let field = if grant { "grantConsent" } else { "withdrawConsent" };
    let q = format!("mutation($i: ConsentInput!) {{ {field}(input: $i) {{ id scope action receipt }} }}");
    scene.ok(Some(role), &q, json!({"i": {"scope": scope, "textVersion": "v1"}})).await[field].clone()
}

/// The first error code of a response.
pub fn code(response: &Value) -> String {
    error_codes(response).into_iter().next().unwrap_or_else(|| format!("no error in {response}"))
}

/// Saves a template `name` with one required variable `question`.
pub async fn template(scene: &Scene, name: &str, max_tokens: i64) {
    scene
        .ok(
            Some("tenant_admin"),
            "mutation($n: String!, $m: Int!) { savePromptTemplate(name: $n, system: \"You help patients.\", \
             body: \"Question: {{question}}\", variables: [{name: \"question\"}], maxTokens: $m) { version } }",
            json!({"n": name, "m": max_tokens}),
        )
        .await;
}

/// Runs `complete` as `role`.
pub async fn complete(scene: &Scene, role: &'static str, name: &str, question: &str) -> Value {
    scene
        .gql(
            Some(role),
            "mutation($n: String!, $q: String!) { complete(template: $n, variables: [{name: \"question\", value: $q}]) \
             { requestId text flagged flags promptTokens completionTokens attempts maskedItems } }",
            json!({"n": name, "q": question}),
        )
        .await
}

/// A request through the router with `token`.
pub async fn as_token(scene: &Scene, token: &str, query: &str, variables: Value) -> Value {
    scene.gql_with(Some(token), None, query, variables).await
}

/// A platform admin's token (in no tenant of the scene).
pub fn platform_token(scene: &Scene) -> String {
    let role = backbone_schema::roles::PLATFORM_ADMIN;
    crate::realtime::scene::token_for(&scene.graph, uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), role)
}

/// Sets the scene tenant's AI budget as a platform admin (the only ones who
/// may); returns the response.
pub async fn set_budget(scene: &Scene, limit: i64) -> Value {
    let q = "mutation($t: ID!, $l: Int!) { setAiBudget(tenantId: $t, limitTokens: $l) { limitTokens } }";
    as_token(scene, &platform_token(scene), q, json!({"t": scene.tenant, "l": limit})).await
}
