//! Every id a complaints mutation names is resolved in the caller's tenant:
//! another tenant's users, teams and calendars are `NOT_FOUND`, and nothing
//! is stored.

use backbone_entities::complaints::{policy, routing_rule, team_member};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use subgraph_kit::testkit::error_codes;
use subgraph_tenants::domain::demo;

use crate::support::Desk;

#[tokio::test]
async fn another_tenants_ids_are_not_found_and_nothing_is_stored() {
    let desk = Desk::start().await;
    let (other_tenant, others) =
        demo::seed_tenant(&desk.app.kit, "Other Clinic", "other").await.expect("seed");
    let outsider = others.iter().find(|u| u.role == "staff").expect("staff").id;
    let team = desk.team("Front desk", &[]).await;

    // A team in the other tenant, made by its own admin.
    let other_admin = others.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
    let other_token = desk.app.token(other_tenant, other_admin, &["tenant_admin"]);
    let made = desk
        .app
        .gql(Some(&other_token), r#"mutation { createComplaintTeam(name: "Theirs") { id } }"#, json!({}))
        .await
        .expect("team");
    let their_team = made["data"]["createComplaintTeam"]["id"].as_str().expect("their team").to_owned();

    let cases = [
        (
            "their user into our team",
            "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }",
            json!({"t": team, "u": outsider}),
        ),
        (
            "our user into their team",
            "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }",
            json!({"t": their_team, "u": desk.user("staff")}),
        ),
        (
            "a routing rule to their team",
            r#"mutation($t: ID!) { addRoutingRule(category: "billing", teamId: $t) { id } }"#,
            json!({"t": their_team}),
        ),
    ];
    for (name, query, variables) in cases {
        let res = desk.gql(Some("tenant_admin"), query, variables).await;
        assert_eq!(error_codes(&res), ["NOT_FOUND"], "{name}: {res}");
    }
    let db = &desk.app.kit.db;
    assert_eq!(team_member::Entity::find().count(db).await.expect("count"), 0, "no membership stored");
    assert_eq!(routing_rule::Entity::find().count(db).await.expect("count"), 0, "no rule stored");
    assert_eq!(policy::Entity::find().count(db).await.expect("count"), 0);

    // A complaint cannot be handed to them either.
    let filed = desk.file(Some("patient"), crate::support::complaint("billing", "NORMAL")).await;
    let id = filed["data"]["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let res = desk
        .gql(
            Some("tenant_admin"),
            "mutation($id: ID!, $a: ID!) { assignComplaint(id: $id, assigneeId: $a) { id } }",
            json!({"id": id, "a": outsider}),
        )
        .await;
    assert_eq!(error_codes(&res), ["NOT_FOUND"], "{res}");
}
