//! Filing, signed in and anonymously; the public status lookup.

use serde_json::json;
use subgraph_kit::testkit::{data, error_codes};

use super::support::{Desk, complaint};

#[tokio::test]
async fn anonymous_complaints_get_a_tracking_code_whose_lookup_reveals_only_status() {
    let desk = Desk::start().await;
    let mut input = complaint("waiting", "NORMAL");
    input["tenantId"] = json!(desk.tenant);
    input["contact"] = json!("call 555-0100");
    let filed = data(desk.file(None, input).await);
    let code = filed["fileComplaint"]["trackingCode"].as_str().expect("code").to_owned();
    assert!(code.starts_with("C-") && code.len() == 13, "{code}");
    assert_eq!(filed["fileComplaint"]["status"], "SUBMITTED");
    assert_eq!(
        filed["fileComplaint"]["complaint"],
        json!(null),
        "anonymous reporters get no complaint object"
    );

    let q =
        "query($c: String!) { complaintStatus(trackingCode: $c) { trackingCode status filedAt updatedAt } }";
    let public = desk.ok(None, q, json!({"c": code.to_lowercase()})).await;
    assert_eq!(public["complaintStatus"]["status"], "SUBMITTED");
    assert_eq!(public["complaintStatus"]["trackingCode"], code);
    // The public type has nothing else to ask for.
    let nosy = desk
        .gql(
            None,
            "query($c: String!) { complaintStatus(trackingCode: $c) { description } }",
            json!({"c": code}),
        )
        .await;
    assert_eq!(error_codes(&nosy), ["BAD_USER_INPUT"]);
    for unknown in ["C-00000-00000", "", &"X".repeat(5000)] {
        let r = desk.gql(None, q, json!({"c": unknown})).await;
        assert_eq!(error_codes(&r), ["NOT_FOUND"], "{unknown:.20}");
    }
    // Staff see it, with the contact left.
    let list =
        desk.ok(Some("staff"), "{ complaints { nodes { trackingCode reporter { id } } } }", json!({})).await;
    assert_eq!(list["complaints"]["nodes"][0]["trackingCode"], code);
    assert_eq!(list["complaints"]["nodes"][0]["reporter"], json!(null));
}

#[tokio::test]
async fn bad_intake_is_refused_with_codes() {
    let desk = Desk::start().await;
    let cases = [
        (None, complaint("waiting", "NORMAL"), "BAD_USER_INPUT"),
        (
            None,
            json!({"tenantId": uuid::Uuid::new_v4(), "category": "x", "subject": "s", "description": "d"}),
            "NOT_FOUND",
        ),
        (
            None,
            json!({"tenantId": "not-a-uuid", "category": "x", "subject": "s", "description": "d"}),
            "BAD_USER_INPUT",
        ),
        (Some("patient"), complaint("waiting", "apocalyptic"), "BAD_USER_INPUT"),
        (Some("patient"), json!({"category": "x", "subject": "s", "description": "   "}), "BAD_USER_INPUT"),
        (
            Some("patient"),
            json!({"category": "x", "subject": "s", "description": "d".repeat(20_001)}),
            "BAD_USER_INPUT",
        ),
        (Some("partner"), complaint("waiting", "NORMAL"), "FORBIDDEN"),
    ];
    for (role, input, code) in cases {
        let r = desk.file(role, input.clone()).await;
        assert_eq!(error_codes(&r), [code], "{role:?} {input:.80}: {r}");
    }
    let bad_token = desk.app.gql(Some("nope"), "mutation { fileComplaint(input: {category: \"x\", subject: \"s\", description: \"d\"}) { status } }", json!({})).await.expect("req");
    assert_eq!(error_codes(&bad_token), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn reporters_see_their_own_complaints_and_nobody_else_s() {
    let desk = Desk::start().await;
    let mine = data(desk.file(Some("patient"), complaint("billing", "HIGH")).await);
    let id = mine["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let theirs = data(desk.file(Some("clinician"), complaint("billing", "LOW")).await);
    let other = theirs["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();

    let own = desk.ok(Some("patient"), "{ complaints { nodes { id priority } } }", json!({})).await;
    assert_eq!(own["complaints"]["nodes"], json!([{"id": id, "priority": "HIGH"}]));
    let peek = desk
        .gql(Some("patient"), "query($id: ID!) { complaint(id: $id) { id } }", json!({"id": other}))
        .await;
    assert_eq!(error_codes(&peek), ["NOT_FOUND"]);
    let all = desk.ok(Some("staff"), "{ complaints { nodes { id } } }", json!({})).await;
    assert_eq!(all["complaints"]["nodes"].as_array().expect("list").len(), 2);
    let auditor = desk.ok(Some("auditor"), "{ complaints { nodes { id } } }", json!({})).await;
    assert_eq!(auditor["complaints"]["nodes"].as_array().expect("list").len(), 2);
}
