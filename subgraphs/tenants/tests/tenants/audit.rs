//! The audit log: every mutation writes an event; filters and pagination
//! work; a row edited in the database is named by `verifyAuditChain`.

use backbone_entities::platform::audit_event;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use subgraph_kit::testkit::data;

use crate::support::{provision, start, user_with_role, uuid};

#[tokio::test]
async fn mutations_are_audited_filterable_and_paginated() {
    let app = start().await;
    let t = provision(&app, "Xi", 10).await;
    let tok = Some(t.admin_token.as_str());
    let (u, _) = user_with_role(&app, &t, "u@xi.test", "staff").await;
    let res = app
        .gql(
            tok,
            "mutation($id: ID!) { updateUser(id: $id, input: {displayName: \"U\"}) { id } }",
            json!({"id": u}),
        )
        .await
        .expect("m");
    assert!(res.get("errors").is_none(), "{res}");

    let all = data(
        app.gql(
            tok,
            "{ auditEvents { edges { node { seq eventType resourceType actorId data } } } }",
            json!({}),
        )
        .await
        .expect("q"),
    );
    let types: Vec<&str> = all["auditEvents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["eventType"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["user.updated", "user.invited", "tenant.provisioned"], "newest first");
    assert_eq!(uuid(&all["auditEvents"]["edges"][0]["node"]["actorId"]), t.admin_id);

    let filtered = data(app.gql(tok, "query($r: String) { auditEvents(filter: {resourceId: $r, eventType: \"user.invited\"}) { edges { node { eventType data } } } }", json!({"r": u.to_string()})).await.expect("q"));
    // Who and what, not the person's values: the log outlives their erasure.
    let logged = &filtered["auditEvents"]["edges"][0]["node"]["data"];
    assert_eq!(logged["roles"], json!(["staff"]), "{logged}");
    assert!(!logged.to_string().contains("u@xi.test"), "{logged}");
    let by_actor = data(app.gql(tok, "query($a: ID) { auditEvents(filter: {actorId: $a, resourceType: \"user\"}) { edges { node { eventType } } } }", json!({"a": t.admin_id})).await.expect("q"));
    assert_eq!(by_actor["auditEvents"]["edges"].as_array().expect("edges").len(), 2);
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let none = data(
        app.gql(
            tok,
            "query($f: DateTime) { auditEvents(filter: {from: $f}) { edges { node { id } } } }",
            json!({"f": future}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(none["auditEvents"]["edges"], json!([]));

    let page = data(
        app.gql(
            tok,
            "{ auditEvents(first: 2) { edges { node { seq } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await
        .expect("q"),
    );
    assert_eq!(page["auditEvents"]["pageInfo"]["hasNextPage"], true);
    let next = data(app.gql(tok, "query($c: String) { auditEvents(first: 2, after: $c) { edges { node { seq } } pageInfo { hasNextPage } } }", json!({"c": page["auditEvents"]["pageInfo"]["endCursor"]})).await.expect("q"));
    assert_eq!(next["auditEvents"]["edges"], json!([{"node": {"seq": 1}}]));
    assert_eq!(next["auditEvents"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn an_edited_audit_row_is_named_by_verify_audit_chain() {
    let app = start().await;
    let t = provision(&app, "Omicron", 10).await;
    let tok = Some(t.admin_token.as_str());
    for i in 0..3 {
        user_with_role(&app, &t, &format!("u{i}@omicron.test"), "staff").await;
    }
    let ok = data(
        app.gql(tok, "{ verifyAuditChain { valid checked firstBrokenEventId reason } }", json!({}))
            .await
            .expect("q"),
    );
    assert_eq!(
        ok["verifyAuditChain"],
        json!({"valid": true, "checked": 4, "firstBrokenEventId": null, "reason": null})
    );

    // Someone with database access rewrites history: event 2 now invited
    // a different person.
    let row = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(t.id))
        .filter(audit_event::Column::Seq.eq(2))
        .one(&app.kit.db)
        .await
        .expect("db")
        .expect("row");
    let tampered_id = row.id;
    let mut edit: audit_event::ActiveModel = row.into();
    edit.data = Set(r#"{"email":"someone-else@omicron.test","roles":["staff"]}"#.into());
    edit.update(&app.kit.db).await.expect("tamper");

    let broken = data(
        app.gql(
            tok,
            "{ verifyAuditChain { valid checked firstBrokenEventId firstBrokenSeq reason } }",
            json!({}),
        )
        .await
        .expect("q"),
    );
    let report = &broken["verifyAuditChain"];
    assert_eq!(report["valid"], false);
    assert_eq!(uuid(&report["firstBrokenEventId"]), tampered_id);
    assert_eq!(report["firstBrokenSeq"], 2);
    assert!(report["reason"].as_str().expect("reason").contains("content changed"), "{report}");

    // Deleting a row is caught too: the next event's seq no longer follows.
    audit_event::Entity::delete_by_id(tampered_id).exec(&app.kit.db).await.expect("delete");
    let gap = data(
        app.gql(tok, "{ verifyAuditChain { valid firstBrokenSeq reason } }", json!({})).await.expect("q"),
    );
    assert_eq!(gap["verifyAuditChain"]["firstBrokenSeq"], 3);
    assert!(gap["verifyAuditChain"]["reason"].as_str().expect("reason").contains("sequence gap"));
}

async fn chain(app: &subgraph_kit::testkit::TestApp, tenant: uuid::Uuid) -> Vec<audit_event::Model> {
    use sea_orm::QueryOrder;
    audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(tenant))
        .order_by_asc(audit_event::Column::Seq)
        .all(&app.kit.db)
        .await
        .expect("chain")
}

async fn report(app: &subgraph_kit::testkit::TestApp, token: &str) -> serde_json::Value {
    let q = "{ verifyAuditChain { valid checked firstBrokenSeq reason } }";
    data(app.gql(Some(token), q, json!({})).await.expect("q"))["verifyAuditChain"].clone()
}

/// Someone with write access to the database but not the anchor key
/// deletes the newest events, or edits one and recomputes every later hash:
/// the chain alone still links up, the signed checkpoints do not.
#[tokio::test]
async fn truncation_and_recomputed_chains_are_caught_by_signed_checkpoints() {
    let app = start().await;
    let t = provision(&app, "Pi", 10).await;
    for i in 0..4 {
        user_with_role(&app, &t, &format!("u{i}@pi.test"), "staff").await;
    }
    assert!(app.kit.audit.checkpoint(&app.kit.db).await.expect("checkpoint") >= 1);
    assert_eq!(report(&app, &t.admin_token).await["valid"], true);

    // Attack 1: the newest two events are deleted.
    let rows = chain(&app, t.id).await;
    for row in &rows[rows.len() - 2..] {
        audit_event::Entity::delete_by_id(row.id).exec(&app.kit.db).await.expect("delete");
    }
    let r = report(&app, &t.admin_token).await;
    assert_eq!(r["valid"], false, "{r}");
    assert!(r["reason"].as_str().unwrap_or_default().contains("truncated"), "{r}");

    // Attack 2 (another tenant): an event is edited and every later hash
    // recomputed, so each link checks out.
    let t2 = provision(&app, "Rho", 10).await;
    for i in 0..4 {
        user_with_role(&app, &t2, &format!("u{i}@rho.test"), "staff").await;
    }
    app.kit.audit.checkpoint(&app.kit.db).await.expect("checkpoint");
    let mut prev = None;
    for mut row in chain(&app, t2.id).await {
        if let Some(p) = prev {
            row.prev_hash = p;
        }
        if row.seq == 2 {
            row.data = r#"{"email":"someone-else@rho.test","roles":["staff"]}"#.into();
        }
        row.hash = subgraph_kit::audit::hash_of(&row);
        prev = Some(row.hash.clone());
        let mut edit: audit_event::ActiveModel = row.clone().into();
        edit.data = Set(row.data.clone());
        edit.prev_hash = Set(row.prev_hash.clone());
        edit.hash = Set(row.hash.clone());
        edit.update(&app.kit.db).await.expect("rewrite");
    }
    let links = subgraph_kit::audit::verify_chain(&app.kit.db, t2.id).await.expect("links");
    assert!(links.broken.is_none(), "the rewritten chain links up on its own");
    let token2 = t2.admin_token.clone();
    let r = report(&app, &token2).await;
    assert_eq!(r["valid"], false, "{r}");
    assert!(r["reason"].as_str().unwrap_or_default().contains("checkpoint"), "{r}");
}
