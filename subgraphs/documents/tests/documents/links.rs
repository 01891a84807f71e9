//! Download links: short-lived, signed, refused when altered or expired,
//! and never a way into another tenant's documents.

use chrono::{Duration, Utc};
use serde_json::json;
use subgraph_documents::links::{Grant, Signer};
use subgraph_kit::testkit::error_codes;
use uuid::Uuid;

use crate::{
    generation::{CONSENT_MARKUP, consent_data, consent_fields},
    support::{Clinic, LINK_KEY},
};

async fn consent_document(clinic: &Clinic) -> String {
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    clinic.generate("clinician", &template, consent_data()).await["id"].as_str().expect("a string").to_owned()
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().expect("test value")
}

#[tokio::test]
async fn a_link_expires_and_an_altered_link_is_refused() {
    let clinic = Clinic::start().await;
    let doc = consent_document(&clinic).await;
    let url = clinic.link("clinician", &doc).await;
    assert_eq!(clinic.fetch(&url).await.0, 200);

    let signer = Signer::new(Some(&LINK_KEY.to_owned().into()));
    let grant = signer.check(token_of(&url), Utc::now()).expect("a link of this deployment");
    let base = url.trim_end_matches(token_of(&url));
    let expired = Grant { expires_at: Utc::now() - Duration::seconds(1), ..grant };
    let (status, body) = clinic.fetch(&format!("{base}{}", signer.sign(&expired))).await;
    assert_eq!(status, 403);
    let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
    assert_eq!(body["error"]["reason"], "LINK_EXPIRED");

    // One character of the signed part (not the last, whose low bits
    // base64 may ignore): only the MAC can refuse it.
    let mut altered: Vec<char> = token_of(&url).chars().collect();
    altered[20] = if altered[20] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    let (status, body) = clinic.fetch(&format!("{base}{altered}")).await;
    assert_eq!(status, 403);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).expect("a JSON body")["error"]["reason"],
        "LINK_INVALID"
    );

    // The download is on the document's timeline.
    let q = "query($id: ID!) { document(id: $id) { timeline { kind actorId versionNumber } } }";
    let timeline = clinic.ok("tenant_admin", q, json!({"id": doc})).await["document"]["timeline"].clone();
    let kinds: Vec<_> =
        timeline.as_array().expect("a list").iter().map(|e| e["kind"].as_str().expect("a string")).collect();
    assert_eq!(kinds, ["CREATED", "DOWNLOADED"]);
}

#[tokio::test]
async fn another_tenant_can_neither_link_nor_fetch_a_document() {
    let clinic = Clinic::start().await;
    let doc = consent_document(&clinic).await;
    let (other, users) = clinic.other_tenant().await;
    let outsider = clinic.app.token(other, users["tenant_admin"], &["tenant_admin"]);
    let q = "mutation($id: ID!) { documentDownloadLink(id: $id) { url } }";
    let response = clinic.app.gql(Some(&outsider), q, json!({"id": doc})).await.expect("request");
    assert_eq!(error_codes(&response), ["NOT_FOUND"]);
    let read = clinic
        .app
        .gql(Some(&outsider), "query($id: ID!) { document(id: $id) { id } }", json!({"id": doc}))
        .await
        .expect("test value");
    assert_eq!(error_codes(&read), ["NOT_FOUND"]);
    let listed = clinic.app.gql(Some(&outsider), "{ documents { id } }", json!({})).await.expect("request");
    assert_eq!(listed["data"]["documents"], json!([]));

    // A link signed with the deployment's key for the other tenant and this version still finds nothing.
    let url = clinic.link("clinician", &doc).await;
    let signer = Signer::new(Some(&LINK_KEY.to_owned().into()));
    let grant = signer.check(token_of(&url), Utc::now()).expect("test value");
    let crossed = Grant { tenant_id: other, user_id: users["tenant_admin"], ..grant };
    let base = url.trim_end_matches(token_of(&url));
    assert_eq!(clinic.fetch(&format!("{base}{}", signer.sign(&crossed))).await.0, 404);
    let unknown = Grant { version_id: Uuid::now_v7(), ..grant };
    assert_eq!(clinic.fetch(&format!("{base}{}", signer.sign(&unknown))).await.0, 404);
}

#[tokio::test]
async fn a_patient_sees_their_own_documents_and_no_one_elses() {
    let clinic = Clinic::start().await;
    let doc = consent_document(&clinic).await; // about the patient
    let listed = clinic.ok("patient", "{ documents { id } }", json!({})).await;
    assert_eq!(listed["documents"], json!([{"id": doc}]));
    assert_eq!(clinic.fetch(&clinic.link("patient", &doc).await).await.0, 200);

    let fields = json!([{"key": "name", "label": "Name", "kind": "TEXT", "required": true}]);
    let template = clinic.template("letter", "For #field(\"name\")", fields).await;
    let q = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id } }";
    let input = json!({"i": {"templateId": template, "title": "Staff note", "data": {"name": "Staff"}}});
    let staff_doc = clinic.ok("staff", q, input).await["generateDocument"]["id"].clone();
    let read =
        clinic.gql("patient", "query($id: ID!) { document(id: $id) { id } }", json!({"id": staff_doc})).await;
    assert_eq!(error_codes(&read), ["NOT_FOUND"]);
    let listed = clinic.ok("patient", "{ documents { id } }", json!({})).await;
    assert_eq!(listed["documents"], json!([{"id": doc}]));
}

#[tokio::test]
async fn subjects_must_be_in_the_callers_tenant() {
    let clinic = Clinic::start().await;
    let (_, users) = clinic.other_tenant().await;
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    let q = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id } }";
    for subjects in [
        json!({"subjectUserId": users["patient"]}),
        json!({"appointmentId": Uuid::now_v7()}),
        json!({"complaintId": Uuid::now_v7()}),
        json!({"invoiceId": Uuid::now_v7()}),
    ] {
        let input = json!({"i": {"templateId": template, "title": "Consent", "data": consent_data(), "subjects": subjects}});
        assert_eq!(error_codes(&clinic.gql("clinician", q, input).await), ["NOT_FOUND"], "{subjects}");
    }
}
