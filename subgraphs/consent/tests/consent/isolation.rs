//! A person a consent or DSAR operation names is looked up in the caller's
//! tenant: another tenant's user is `NOT_FOUND` everywhere, and nothing is
//! recorded about them.

use backbone_entities::consent::{dsar_request, record};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use subgraph_kit::testkit::{TestApp, error_codes};
use subgraph_tenants::domain::demo;

#[tokio::test]
async fn another_tenants_person_is_not_found_and_nothing_is_recorded() {
    let app = TestApp::serve(&subgraph_consent::Consent, &[&subgraph_tenants::Tenants], |_| {})
        .await
        .expect("start");
    let (ours, users) = demo::seed(&app.kit).await.expect("seed");
    let (_, theirs) = demo::seed_tenant(&app.kit, "Other Clinic", "other").await.expect("seed");
    let admin = users.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
    let token = app.token(ours, admin, &["tenant_admin"]);
    let outsider = theirs.iter().find(|u| u.role == "patient").expect("patient").id;
    let (records_before, dsars_before) = (
        record::Entity::find().count(&app.kit.db).await.expect("count"),
        dsar_request::Entity::find().count(&app.kit.db).await.expect("count"),
    );

    let cases = [
        (
            "grant for them",
            "mutation($u: ID!) { grantConsent(input: {userId: $u, scope: \"memory\", textVersion: \"v1\"}) { scope } }",
        ),
        (
            "withdraw for them",
            "mutation($u: ID!) { withdrawConsent(input: {userId: $u, scope: \"memory\", textVersion: \"v1\"}) { scope } }",
        ),
        ("ask about them", "query($u: ID!) { hasConsent(userId: $u, scope: \"memory\") }"),
        ("read their history", "query($u: ID!) { consentHistory(userId: $u) { nodes { scope } } }"),
        ("a DSAR about them", "mutation($u: ID!) { requestDsar(kind: ACCESS, subjectId: $u) { id } }"),
    ];
    for (name, query) in cases {
        let res = app.gql(Some(&token), query, json!({"u": outsider})).await.expect("json");
        assert_eq!(error_codes(&res), ["NOT_FOUND"], "{name}: {res}");
    }
    assert_eq!(record::Entity::find().count(&app.kit.db).await.expect("count"), records_before);
    assert_eq!(dsar_request::Entity::find().count(&app.kit.db).await.expect("count"), dsars_before);

    // Their own people still work.
    let patient = users.iter().find(|u| u.role == "patient").expect("patient").id;
    let res = app
        .gql(
            Some(&token),
            "query($u: ID!) { hasConsent(userId: $u, scope: \"memory\") }",
            json!({"u": patient}),
        )
        .await
        .expect("json");
    assert_eq!(res["data"]["hasConsent"], false, "{res}");
}
