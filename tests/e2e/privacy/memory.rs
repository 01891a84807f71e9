//! Memory through the router: recall follows consent, per scope, at once;
//! forget forgets; people never see each other's memories.

use serde_json::{Value, json};

use super::support::{code, consent};
use crate::realtime::scene::Scene;

const REMEMBER: &str =
    "mutation($t: String!, $s: String!) { remember(text: $t, requiredScope: $s, importance: 0.7) { id } }";
const RECALL: &str = "query($q: String!) { recall(query: $q, k: 3) { hits { score memory { id text requiredScope } } excludedScopes } }";

pub async fn remember(scene: &Scene, role: &'static str, text: &str, scope: &str) -> String {
    let r = scene.ok(Some(role), REMEMBER, json!({"t": text, "s": scope})).await;
    r["remember"]["id"].as_str().expect("id").to_owned()
}

pub async fn recall(scene: &Scene, role: &'static str, query: &str) -> Vec<String> {
    recall_with_exclusions(scene, role, query).await.0
}

/// The texts recalled and the scopes left out.
pub async fn recall_with_exclusions(scene: &Scene, role: &'static str, query: &str) -> (Vec<String>, Value) {
    let r: Value = scene.ok(Some(role), RECALL, json!({"q": query})).await;
    let texts = r["recall"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["memory"]["text"].as_str().unwrap_or("").to_owned())
        .collect();
    (texts, r["recall"]["excludedScopes"].clone())
}

#[tokio::test]
async fn recall_returns_only_consented_scopes_ranked_by_similarity() {
    let scene = Scene::start().await;
    remember(&scene, "patient", "I am allergic to penicillin", "memory.health").await;
    remember(&scene, "patient", "My blood pressure is usually 120 over 80", "memory.health").await;
    remember(&scene, "patient", "I am learning Spanish verbs", "memory.education").await;
    let embedder = scene.ok(Some("patient"), "{ memoryEmbedder { name local } }", json!({})).await;
    assert_eq!(embedder["memoryEmbedder"], json!({"name": "local-hash-v1-256", "local": true}));

    // No consent to any scope of their memories: refused, not an empty list.
    let refused = scene.gql(Some("patient"), RECALL, json!({"q": "penicillin allergy"})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "CONSENT_REQUIRED", "{refused}");
    assert!(refused["data"].is_null() || refused["data"]["recall"].is_null(), "{refused}");

    consent(&scene, "patient", "memory", true).await;
    let (hits, excluded) =
        recall_with_exclusions(&scene, "patient", "which antibiotics am I allergic to").await;
    assert_eq!(hits[0], "I am allergic to penicillin", "{hits:?}");
    assert_eq!(hits.len(), 3);
    assert_eq!(excluded, json!([]), "consent covers every scope");

    consent(&scene, "patient", "memory.health", false).await;
    let (hits, excluded) = recall_with_exclusions(&scene, "patient", "penicillin allergy").await;
    assert_eq!(hits, ["I am learning Spanish verbs"], "health memories are hidden at once");
    assert_eq!(excluded, json!(["memory.health"]), "and the answer says which scope was left out");

    // Nobody else sees them, whatever they consent to.
    consent(&scene, "staff", "memory", true).await;
    assert!(recall(&scene, "staff", "penicillin").await.is_empty());
}

#[tokio::test]
async fn forget_removes_a_memory_for_good_and_only_ones_own() {
    let scene = Scene::start().await;
    consent(&scene, "patient", "memory", true).await;
    let id = remember(&scene, "patient", "My daughter is called Ana", "memory").await;
    assert_eq!(recall(&scene, "patient", "daughter name").await, ["My daughter is called Ana"]);

    let other = scene.gql(Some("staff"), "mutation($id: ID!) { forget(id: $id) }", json!({"id": id})).await;
    assert_eq!(code(&other), "NOT_FOUND", "{other}");
    scene.ok(Some("patient"), "mutation($id: ID!) { forget(id: $id) }", json!({"id": id})).await;
    assert!(recall(&scene, "patient", "daughter name").await.is_empty());

    let bad = scene.gql(Some("patient"), REMEMBER, json!({"t": "x", "s": "Not A Scope"})).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let bad = scene.gql(Some("patient"), RECALL, json!({"q": ""})).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
}
