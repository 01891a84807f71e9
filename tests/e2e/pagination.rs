//! Every list of a person's or a tenant's records pages the same way:
//! `first`/`after`, edges with cursors, `pageInfo`; a client following
//! `endCursor` reaches every item once, and a page size outside 1..=100 is
//! refused with `BAD_USER_INPUT`.

use std::collections::HashSet;

use serde_json::{Value, json};
use subgraph_kit::testkit::openai::FakeProvider;

use crate::{
    privacy::{
        memory::remember,
        support::{code, complete, consent, template, with_provider},
    },
    realtime::scene::{Scene, WITHIN, eventually},
};

/// Pages through `field(args)` two at a time as `role`; returns each node's
/// `id` in order.
async fn walk(scene: &Scene, role: &'static str, field: &str, args: &str) -> Vec<String> {
    let q = format!(
        "query($after: String) {{ {field}({args} first: 2, after: $after) {{ \
         edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage endCursor }} }} }}"
    );
    let (mut ids, mut after) = (Vec::new(), Value::Null);
    for page in 0.. {
        assert!(page < 20, "{field}: pages never end");
        let data = scene.ok(Some(role), &q, json!({"after": after})).await;
        let list = &data[field];
        let edges = list["edges"].as_array().unwrap_or_else(|| panic!("{field}: {data}"));
        assert!(edges.len() <= 2, "{field}: a page holds at most `first` items");
        assert_eq!(list["pageInfo"]["hasPreviousPage"], page > 0, "{field}: {list}");
        ids.extend(edges.iter().map(|e| e["node"]["id"].as_str().expect("id").to_owned()));
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    ids
}

fn assert_all_once(field: &str, ids: &[String], expected: usize) {
    assert_eq!(ids.len(), expected, "{field}: every item, {ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), expected, "{field}: none twice, {ids:?}");
}

#[tokio::test]
async fn every_list_pages_with_cursors_past_the_first_page() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    let filed = [
        scene.file("patient", "billing", "NORMAL").await,
        scene.file("patient", "billing", "HIGH").await,
        scene.file("patient", "billing", "LOW").await,
    ];
    for id in &filed {
        scene.set_status("staff", id, "ACKNOWLEDGED").await;
    }
    template(&scene, "triage", 100).await;
    for _ in 0..3 {
        // No consent to AI yet: refused, and logged.
        complete(&scene, "patient", "triage", "Is this rash serious?").await;
    }
    consent(&scene, "patient", "memory", true).await;
    consent(&scene, "patient", "memory", false).await;
    consent(&scene, "patient", "memory", true).await;
    for fact in ["I take metformin", "I walk daily", "I sleep badly"] {
        remember(&scene, "patient", fact, "memory").await;
    }
    for _ in 0..3 {
        scene.ok(Some("patient"), "mutation { requestDsar(kind: ACCESS) { id } }", json!({})).await;
    }
    eventually(WITHIN, "the patient is notified of each change", || async {
        let n = scene.ok(Some("patient"), "{ unreadNotificationCount }", json!({})).await;
        n["unreadNotificationCount"].as_i64() >= Some(3)
    })
    .await;

    let complaints = walk(&scene, "patient", "complaints", "").await;
    let mut newest_first = filed.to_vec();
    newest_first.reverse();
    assert_eq!(complaints, newest_first, "complaints, newest first");
    assert_all_once("aiRequests", &walk(&scene, "patient", "aiRequests", "").await, 3);
    assert_all_once("consentHistory", &walk(&scene, "patient", "consentHistory", "").await, 3);
    assert_all_once("memories", &walk(&scene, "patient", "memories", "").await, 3);
    assert_all_once("dsarRequests", &walk(&scene, "patient", "dsarRequests", "").await, 3);
    let inbox = walk(&scene, "patient", "notifications", "").await;
    assert!(inbox.len() >= 3 && inbox.iter().collect::<HashSet<_>>().len() == inbox.len(), "{inbox:?}");

    for field in ["complaints", "aiRequests", "consentHistory", "memories", "dsarRequests", "notifications"] {
        for first in [0, 101] {
            let q = format!("{{ {field}(first: {first}) {{ edges {{ cursor }} }} }}");
            let refused = scene.gql(Some("patient"), &q, json!({})).await;
            assert_eq!(code(&refused), "BAD_USER_INPUT", "{field}(first: {first}): {refused}");
        }
        let q = format!("{{ {field}(after: \"not-a-cursor\") {{ edges {{ cursor }} }} }}");
        let refused = scene.gql(Some("patient"), &q, json!({})).await;
        assert_eq!(code(&refused), "BAD_USER_INPUT", "{field}: a malformed cursor: {refused}");
    }
}
