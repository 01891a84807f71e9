//! Routing rules and round-robin assignment.

use serde_json::json;
use subgraph_kit::testkit::data;

use super::support::{Desk, complaint};

#[tokio::test]
async fn round_robin_takes_turns_and_skips_inactive_members() {
    let desk = Desk::start().await;
    let team = desk.team("Front desk", &["staff", "clinician", "tenant_admin"]).await;
    desk.ok(
        Some("tenant_admin"),
        "mutation($t: ID!) { addRoutingRule(category: \"billing\", teamId: $t) { id } }",
        json!({"t": team}),
    )
    .await;

    let mut assignees = Vec::new();
    for _ in 0..4 {
        let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
        assert_eq!(filed["fileComplaint"]["complaint"]["teamId"], team);
        assignees.push(
            filed["fileComplaint"]["complaint"]["assignee"]["id"].as_str().expect("assignee").to_owned(),
        );
    }
    let (s, c, a) = (
        desk.user("staff").to_string(),
        desk.user("clinician").to_string(),
        desk.user("tenant_admin").to_string(),
    );
    assert_eq!(assignees, [s.clone(), c.clone(), a.clone(), s.clone()]);

    // The clinician goes on leave: the turn passes over them.
    desk.set_member(&team, desk.user("clinician"), false).await;
    let mut next = Vec::new();
    for _ in 0..3 {
        let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
        next.push(
            filed["fileComplaint"]["complaint"]["assignee"]["id"].as_str().expect("assignee").to_owned(),
        );
    }
    assert_eq!(next, [a.clone(), s.clone(), a]);
}

#[tokio::test]
async fn rules_match_category_and_region_by_rank() {
    let desk = Desk::start().await;
    let north = desk.team("North", &["staff"]).await;
    let billing = desk.team("Billing", &["clinician"]).await;
    let add = "mutation($c: String, $r: String, $t: ID!, $k: Int!) { addRoutingRule(category: $c, region: $r, teamId: $t, rank: $k) { id } }";
    desk.ok(Some("tenant_admin"), add, json!({"c": null, "r": "north", "t": north, "k": 1})).await;
    desk.ok(Some("tenant_admin"), add, json!({"c": "billing", "r": null, "t": billing, "k": 2})).await;

    let team_of = |category: &'static str, region: Option<&'static str>| {
        let desk = &desk;
        async move {
            let mut input = complaint(category, "NORMAL");
            input["region"] = json!(region);
            data(desk.file(Some("patient"), input).await)["fileComplaint"]["complaint"]["teamId"].clone()
        }
    };
    assert_eq!(team_of("billing", Some("North")).await, json!(north), "rank 1 wins");
    assert_eq!(team_of("billing", Some("south")).await, json!(billing));
    assert_eq!(team_of("waiting", Some("south")).await, json!(null), "no rule, no team");
    // Only managers set up routing.
    let refused = desk.gql(Some("staff"), add, json!({"c": null, "r": null, "t": north, "k": 3})).await;
    assert_eq!(subgraph_kit::testkit::error_codes(&refused), ["FORBIDDEN"]);
}
