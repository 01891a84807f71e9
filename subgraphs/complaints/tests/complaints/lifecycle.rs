//! The lifecycle, comments and internal notes.

use serde_json::json;
use subgraph_kit::testkit::{data, error_codes};

use super::support::{Desk, complaint};

const MOVE: &str =
    "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }";

#[tokio::test]
async fn the_lifecycle_runs_forward_reopens_and_refuses_skips() {
    let desk = Desk::start().await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();

    for (from, to) in [("SUBMITTED", "IN_PROGRESS"), ("SUBMITTED", "RESOLVED"), ("SUBMITTED", "CLOSED")] {
        let r = desk.gql(Some("staff"), MOVE, json!({"id": id, "s": to})).await;
        assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{from} → {to}");
    }
    let unknown = desk.gql(Some("staff"), MOVE, json!({"id": id, "s": "DELETED"})).await;
    assert_eq!(error_codes(&unknown), ["BAD_USER_INPUT"]);
    let by_patient = desk.gql(Some("patient"), MOVE, json!({"id": id, "s": "ACKNOWLEDGED"})).await;
    assert_eq!(error_codes(&by_patient), ["FORBIDDEN"]);

    for to in ["ACKNOWLEDGED", "IN_PROGRESS", "ON_HOLD", "IN_PROGRESS", "RESOLVED", "CLOSED"] {
        let r = desk.ok(Some("staff"), MOVE, json!({"id": id, "s": to})).await;
        assert_eq!(r["changeComplaintStatus"]["status"], to);
    }
    let again = desk.gql(Some("staff"), MOVE, json!({"id": id, "s": "RESOLVED"})).await;
    assert_eq!(error_codes(&again), ["BAD_USER_INPUT"]);
    // The reporter reopens; another patient may not even see it.
    let reopen = "mutation($id: ID!) { reopenComplaint(id: $id, reason: \"still broken\") { status } }";
    let stranger = desk.gql(Some("clinician"), reopen, json!({"id": id})).await;
    assert_eq!(error_codes(&stranger), ["NOT_FOUND"]);
    let reopened = desk.ok(Some("patient"), reopen, json!({"id": id})).await;
    assert_eq!(reopened["reopenComplaint"]["status"], "IN_PROGRESS");
    let twice = desk.gql(Some("patient"), reopen, json!({"id": id})).await;
    assert_eq!(error_codes(&twice), ["BAD_USER_INPUT"]);

    let timeline = desk
        .ok(
            Some("staff"),
            "query($id: ID!) { complaint(id: $id) { timeline { nodes { kind fromStatus toStatus } } } }",
            json!({"id": id}),
        )
        .await;
    let steps: Vec<String> = timeline["complaint"]["timeline"]["nodes"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| format!("{}:{}", e["kind"].as_str().unwrap_or(""), e["toStatus"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        steps,
        [
            "STATUS_CHANGE:SUBMITTED",
            "STATUS_CHANGE:ACKNOWLEDGED",
            "STATUS_CHANGE:IN_PROGRESS",
            "STATUS_CHANGE:ON_HOLD",
            "STATUS_CHANGE:IN_PROGRESS",
            "STATUS_CHANGE:RESOLVED",
            "STATUS_CHANGE:CLOSED",
            "REOPEN:IN_PROGRESS"
        ]
    );
}

#[tokio::test]
async fn internal_notes_are_hidden_from_the_reporter() {
    let desk = Desk::start().await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let comment = "mutation($id: ID!, $b: String!, $i: Boolean!) { commentOnComplaint(id: $id, body: $b, internal: $i) { id } }";
    desk.ok(Some("staff"), comment, json!({"id": id, "b": "We are looking into it.", "i": false})).await;
    desk.ok(Some("staff"), comment, json!({"id": id, "b": "Reporter called twice already.", "i": true}))
        .await;
    desk.ok(Some("patient"), comment, json!({"id": id, "b": "Thank you.", "i": false})).await;
    let sneaky = desk.gql(Some("patient"), comment, json!({"id": id, "b": "psst", "i": true})).await;
    assert_eq!(error_codes(&sneaky), ["FORBIDDEN"]);
    let empty = desk.gql(Some("staff"), comment, json!({"id": id, "b": "  ", "i": false})).await;
    assert_eq!(error_codes(&empty), ["BAD_USER_INPUT"]);

    let q = "query($id: ID!) { complaint(id: $id) { timeline { nodes { kind body } } } }";
    let bodies = |v: serde_json::Value| -> Vec<String> {
        v["complaint"]["timeline"]["nodes"]
            .as_array()
            .expect("t")
            .iter()
            .filter_map(|e| e["body"].as_str().map(str::to_owned))
            .collect()
    };
    let staff = bodies(desk.ok(Some("staff"), q, json!({"id": id})).await);
    assert_eq!(staff, ["We are looking into it.", "Reporter called twice already.", "Thank you."]);
    let reporter = bodies(desk.ok(Some("patient"), q, json!({"id": id})).await);
    assert_eq!(reporter, ["We are looking into it.", "Thank you."]);
}

/// A stored status or priority outside its enum is an error, not a guess:
/// before, such a status read as SUBMITTED (and its SLA clock could
/// restart), and any priority passed through as text.
#[tokio::test]
async fn an_unknown_stored_status_or_priority_fails_loudly() {
    use backbone_entities::complaints::complaint;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    for (column, stored, guess) in [
        (complaint::Column::Status, "escalated", "SUBMITTED"),
        (complaint::Column::Priority, "critical", "NORMAL"),
    ] {
        let desk = Desk::start().await;
        let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
        let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
        let updated = complaint::Entity::update_many()
            .col_expr(column, Expr::value(stored))
            .filter(complaint::Column::Id.eq(uuid::Uuid::parse_str(&id).expect("uuid")))
            .exec(&desk.app.kit.db)
            .await
            .expect("update");
        assert_eq!(updated.rows_affected, 1);
        let q = "query($id: ID!) { complaint(id: $id) { status priority } }";
        let r = desk.gql(Some("staff"), q, json!({"id": id})).await;
        assert_eq!(error_codes(&r), ["INTERNAL"], "{stored}: {r}");
        assert!(!r.to_string().contains(guess), "{stored}: {r}");
    }
}
