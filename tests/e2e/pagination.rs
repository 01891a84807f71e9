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

/// Pages through `field(args)` two at a time as `role` selecting `select`
/// on each node; returns the nodes in order.
async fn walk_nodes(scene: &Scene, role: &'static str, field: &str, args: &str, select: &str) -> Vec<Value> {
    let q = format!(
        "query($after: String) {{ {field}({args} first: 2, after: $after) {{ \
         edges {{ node {{ {select} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let (mut nodes, mut after) = (Vec::new(), Value::Null);
    for _ in 0..50 {
        let data = scene.ok(Some(role), &q, json!({"after": after})).await;
        let list = &data[field];
        let edges = list["edges"].as_array().unwrap_or_else(|| panic!("{field}: {data}"));
        nodes.extend(edges.iter().map(|e| e["node"].clone()));
        if list["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    panic!("{field}: pages never end")
}

/// The same list in one page of 100.
async fn whole(scene: &Scene, role: &'static str, field: &str, args: &str, select: &str) -> Vec<Value> {
    let q = format!("{{ {field}({args} first: 100) {{ nodes {{ {select} }} }} }}");
    scene.ok(Some(role), &q, json!({})).await[field]["nodes"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn settings_lists_page_too_and_two_at_a_time_give_the_same_list_as_one_page() {
    let scene = Scene::start().await;
    let mut first_team = String::new();
    for (i, category) in ["billing", "waiting", "staff"].into_iter().enumerate() {
        let team =
            scene.team(&format!("Team {i}"), &["staff", "clinician", "tenant_admin"], Some(category)).await;
        if i == 0 {
            first_team = team;
        }
    }
    for priority in ["LOW", "HIGH", "URGENT"] {
        let q = "mutation($i: SlaPolicyInput!) { setSlaPolicy(input: $i) { id } }";
        scene
            .ok(
                Some("tenant_admin"),
                q,
                json!({"i": {"priority": priority, "firstResponseSeconds": 60, "resolutionSeconds": 600}}),
            )
            .await;
    }
    for (category, channel) in [("complaints", "EMAIL"), ("complaints", "SMS"), ("consent", "PUSH")] {
        let q = "mutation($c: String!, $ch: Channel!) { setNotificationPreference(category: $c, channel: $ch, enabled: false) { enabled } }";
        scene.ok(Some("staff"), q, json!({"c": category, "ch": channel})).await;
    }
    for who in ["a", "b", "c"] {
        let q =
            "mutation($t: String!) { registerNotificationEndpoint(channel: EMAIL, target: $t) { secret } }";
        scene.ok(Some("staff"), q, json!({"t": format!("{who}@example.org")})).await;
    }
    for name in ["triage", "summary", "letter", "triage", "triage"] {
        template(&scene, name, 50).await;
    }

    let lists: [(&'static str, &str, &str, &str); 10] = [
        ("tenant_admin", "complaintTeams", "", "id name"),
        (
            "tenant_admin",
            "complaintTeamMembers",
            &format!("teamId: \"{first_team}\","),
            "user { id } position",
        ),
        ("tenant_admin", "routingRules", "", "id"),
        ("tenant_admin", "slaPolicies", "", "id priority"),
        ("tenant_admin", "roles", "", "id name"),
        ("patient", "consentScopes", "", "key"),
        ("staff", "notificationPreferences", "", "category channel"),
        ("staff", "notificationEndpoints", "", "id target"),
        ("tenant_admin", "promptTemplates", "", "name version"),
        ("tenant_admin", "promptTemplates", "name: \"triage\",", "name version"),
    ];
    for (role, field, args, select) in lists {
        let paged = walk_nodes(&scene, role, field, args, select).await;
        assert!(paged.len() >= 3, "{field}({args}): {paged:?}");
        assert_eq!(paged, whole(&scene, role, field, args, select).await, "{field}({args})");
    }
    let latest = whole(&scene, "tenant_admin", "promptTemplates", "", "name version").await;
    assert_eq!(latest, json!([{"name": "letter", "version": 1}, {"name": "summary", "version": 1}, {"name": "triage", "version": 3}]).as_array().cloned().unwrap_or_default());
    let versions = whole(&scene, "tenant_admin", "promptTemplates", "name: \"triage\",", "version").await;
    assert_eq!(versions, [json!({"version": 3}), json!({"version": 2}), json!({"version": 1})]);

    // A record's parts page the same way: a complaint's timeline.
    let id = scene.file("patient", "billing", "NORMAL").await;
    for status in ["ACKNOWLEDGED", "IN_PROGRESS", "ON_HOLD"] {
        scene.set_status("staff", &id, status).await;
    }
    let q = "query($id: ID!, $after: String) { complaint(id: $id) { timeline(first: 2, after: $after) { nodes { kind toStatus } pageInfo { hasNextPage endCursor } } } }";
    let first = scene.ok(Some("staff"), q, json!({"id": id, "after": null})).await;
    let page = &first["complaint"]["timeline"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "{first}");
    let rest = scene.ok(Some("staff"), q, json!({"id": id, "after": page["pageInfo"]["endCursor"]})).await;
    let statuses: Vec<Value> = [page, &rest["complaint"]["timeline"]]
        .iter()
        .flat_map(|p| p["nodes"].as_array().cloned().unwrap_or_default())
        .map(|n| n["toStatus"].clone())
        .collect();
    assert_eq!(statuses, [json!("SUBMITTED"), json!("ACKNOWLEDGED"), json!("IN_PROGRESS"), json!("ON_HOLD")]);
}
