//! Signing flows: steps in order, parallel signers within a step, every
//! signature bound to the version's SHA-256, a sealed copy with its
//! completion certificate, and verification of the bytes.

use serde_json::{Value, json};
use subgraph_kit::testkit::error_codes;

use crate::support::{Clinic, DOT_PNG, b64, keep_sample, pdf_text, simple_pdf};

const TWO_PARTY: &str = r#"= Treatment agreement

Patient: #field("patient_name")

Patient: #signature("patient_sig") #h(1cm) Clinician: #signature("clinician_sig")
"#;

fn two_party_fields() -> Value {
    json!([
        {"key": "patient_name", "label": "Patient name", "kind": "TEXT", "required": true},
        {"key": "patient_sig", "label": "Patient", "kind": "SIGNATURE", "required": true, "signerRole": "patient"},
        {"key": "clinician_sig", "label": "Clinician", "kind": "SIGNATURE", "required": true, "signerRole": "clinician"}
    ])
}

/// A generated agreement about the patient; its id.
async fn agreement(clinic: &Clinic) -> String {
    let template = clinic.template("agreement", TWO_PARTY, two_party_fields()).await;
    clinic.generate("staff", &template, json!({"patient_name": "Asha Verma"})).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn code_and_reason(response: &Value) -> (String, String) {
    let e = &response["errors"][0]["extensions"];
    (e["code"].as_str().unwrap_or_default().to_owned(), e["reason"].as_str().unwrap_or_default().to_owned())
}

async fn statuses(clinic: &Clinic, id: &str) -> Vec<(i64, String, String)> {
    let q = "query($id: ID!) { document(id: $id) { signers { userId step status } } }";
    let d = clinic.ok("tenant_admin", q, json!({"id": id})).await;
    d["document"]["signers"]
        .as_array()
        .expect("signers")
        .iter()
        .map(|s| {
            let who = s["userId"].as_str().expect("id");
            let role = ["patient", "clinician", "tenant_admin", "staff"]
                .into_iter()
                .find(|r| clinic.user(r).to_string() == who)
                .expect("a seeded user");
            (
                s["step"].as_i64().expect("step"),
                role.to_owned(),
                s["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn two_parallel_signers_then_an_approver_in_order_then_a_sealed_copy_that_verifies() {
    let clinic = Clinic::start().await;
    let id = agreement(&clinic).await;
    let sent = clinic
        .send(
            &id,
            json!([
                {"userId": clinic.user("patient"), "step": 1, "fieldRole": "patient"},
                {"userId": clinic.user("clinician"), "step": 1, "fieldRole": "clinician"},
                {"userId": clinic.user("tenant_admin"), "step": 2, "role": "APPROVER"}
            ]),
        )
        .await;
    assert_eq!(sent["status"], "PENDING");
    assert_eq!(
        statuses(&clinic, &id).await,
        [
            (1, "patient".into(), "PENDING".into()),
            (1, "clinician".into(), "PENDING".into()),
            (2, "tenant_admin".into(), "WAITING".into())
        ]
    );

    // Step 2 cannot go first.
    let early = clinic.sign_typed("tenant_admin", &id, 1, "Admin").await;
    assert_eq!(code_and_reason(&early), ("CONFLICT".into(), "NOT_YOUR_TURN".into()));
    // Nobody signs without consenting, and a stranger to the document is not asked.
    let q = "mutation($i: SignDocumentInput!) { signDocument(input: $i) { status } }";
    let no_consent = json!({"i": {"documentId": id, "version": 1, "consentToSignElectronically": false, "kind": "TYPED", "typedName": "Asha"}});
    assert_eq!(code_and_reason(&clinic.gql("patient", q, no_consent).await).1, "CONSENT_TO_SIGN_REQUIRED");
    assert_eq!(error_codes(&clinic.sign_typed("staff", &id, 1, "Staff").await), ["FORBIDDEN"]);

    // Step 1 in parallel: either order.
    let signed = clinic.sign_typed("patient", &id, 1, "Asha Verma").await;
    assert_eq!(signed["data"]["signDocument"]["status"], "PENDING", "{signed}");
    let drawn = json!({"i": {"documentId": id, "version": 1, "consentToSignElectronically": true, "kind": "DRAWN", "drawingPngBase64": DOT_PNG}});
    let signed = clinic.gql_from_browser("clinician", "clinician-browser/1.0", q, drawn).await;
    assert_eq!(signed["data"]["signDocument"]["status"], "PENDING", "{signed}");
    assert_eq!(
        statuses(&clinic, &id).await[2],
        (2, "tenant_admin".into(), "PENDING".into()),
        "step 2 asked now"
    );
    let again = clinic.sign_typed("patient", &id, 1, "Asha").await;
    assert_eq!(code_and_reason(&again), ("CONFLICT".into(), "ALREADY_SIGNED".into()));

    let done = clinic.sign_typed("tenant_admin", &id, 1, "Admin Person").await;
    assert_eq!(done["data"]["signDocument"], json!({"status": "COMPLETED", "currentVersion": 2}), "{done}");

    // The sealed copy: the signatures in their fields, then the certificate.
    let q = "query($id: ID!) { document(id: $id) { versions { number origin sha256 } timeline { kind ip userAgent } } }";
    let d = clinic.ok("tenant_admin", q, json!({"id": id})).await["document"].clone();
    let (signed_sha, sealed_sha) = (d["versions"][0]["sha256"].clone(), d["versions"][1]["sha256"].clone());
    assert_eq!(d["versions"][1]["origin"], "COMPLETED");
    let sealed = clinic.current_bytes(&id).await;
    keep_sample("sealed-agreement.pdf", &sealed);
    let text = pdf_text(&sealed);
    let joined: String = text.split_whitespace().collect();
    for expected in ["Treatment agreement", "Asha Verma", "Certificate of completion", "Signers", "Events"] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }
    assert!(
        joined.contains(signed_sha.as_str().expect("sha")),
        "the signed version's SHA-256 on the certificate"
    );
    for agent in ["patient-browser/1.0", "clinician-browser/1.0", "tenant_admin-browser/1.0"] {
        assert!(joined.contains(agent), "{agent} on the certificate");
    }
    let signed_events: Vec<_> =
        d["timeline"].as_array().expect("timeline").iter().filter(|e| e["kind"] == "SIGNED").collect();
    assert_eq!(signed_events.len(), 3);
    assert!(signed_events.iter().all(|e| e["ip"] == "127.0.0.1"), "{signed_events:?}");

    // Verification: the sealed bytes are intact and name their signers; one changed byte is tampering.
    let verify = "query($c: String!) { verifyDocument(contentBase64: $c) { status documentId sealValid version { number origin } signers { userId versionSha256 } } }";
    let v = clinic.ok("auditor", verify, json!({"c": b64(&sealed)})).await["verifyDocument"].clone();
    assert_eq!(v["status"], "INTACT");
    assert_eq!(v["documentId"], id.as_str());
    assert_eq!(v["sealValid"], true);
    assert_eq!(v["version"], json!({"number": 2, "origin": "COMPLETED"}));
    assert_eq!(v["signers"].as_array().expect("signers").len(), 3);
    assert!(v["signers"].as_array().expect("signers").iter().all(|s| s["versionSha256"] == signed_sha));
    let mut changed = sealed.clone();
    let at = changed.len() / 2;
    changed[at] ^= 0x01;
    let v = clinic.ok("auditor", verify, json!({"c": b64(&changed)})).await["verifyDocument"].clone();
    assert_eq!(v["status"], "TAMPERED", "{v}");
    assert_eq!(v["documentId"], id.as_str());
    let v = clinic.ok("auditor", verify, json!({"c": b64(&simple_pdf("unrelated"))})).await["verifyDocument"]
        .clone();
    assert_eq!((v["status"].clone(), v["documentId"].clone()), (json!("UNKNOWN"), Value::Null));
    assert_ne!(signed_sha, sealed_sha);

    // Another tenant holding the sealed bytes learns what they say, no more.
    let (other, users) = clinic.other_tenant().await;
    let outsider = clinic.app.token(other, users["auditor"], &["auditor"]);
    let v = clinic.app.gql(Some(&outsider), verify, json!({"c": b64(&sealed)})).await.expect("request");
    assert_eq!(v["data"]["verifyDocument"]["status"], "INTACT");
    let signers = v["data"]["verifyDocument"]["signers"].as_array().expect("signers");
    assert_eq!(signers.len(), 3);
    assert!(
        signers.iter().all(|s| s["userId"].is_null()),
        "another tenant's user ids stay theirs: {signers:?}"
    );
    let v = clinic.app.gql(Some(&outsider), verify, json!({"c": b64(&changed)})).await.expect("request");
    assert_eq!(
        v["data"]["verifyDocument"]["status"], "UNKNOWN",
        "tampering is told only to the document's tenant"
    );
}

#[tokio::test]
async fn a_new_version_voids_the_signatures_so_far_and_asks_again() {
    let clinic = Clinic::start().await;
    let id = agreement(&clinic).await;
    clinic
        .send(&id, json!([{"userId": clinic.user("patient"), "fieldRole": "patient"}, {"userId": clinic.user("clinician"), "fieldRole": "clinician"}]))
        .await;
    let signed = clinic.sign_typed("patient", &id, 1, "Asha Verma").await;
    assert_eq!(signed["data"]["signDocument"]["status"], "PENDING");

    let q = "mutation($i: ReviseDocumentInput!) { reviseDocument(input: $i) { status currentVersion } }";
    let revised =
        clinic.ok("staff", q, json!({"i": {"id": id, "data": {"patient_name": "Asha R. Verma"}}})).await;
    assert_eq!(revised["reviseDocument"], json!({"status": "PENDING", "currentVersion": 2}));
    assert_eq!(
        statuses(&clinic, &id).await,
        [(1, "patient".into(), "PENDING".into()), (1, "clinician".into(), "PENDING".into())],
        "the patient's signature of version 1 no longer counts"
    );
    let stale = clinic.sign_typed("clinician", &id, 1, "Dr Rao").await;
    assert_eq!(code_and_reason(&stale), ("CONFLICT".into(), "VERSION_CHANGED".into()));
    clinic.sign_typed("patient", &id, 2, "Asha R. Verma").await;
    let done = clinic.sign_typed("clinician", &id, 2, "Dr Rao").await;
    assert_eq!(done["data"]["signDocument"]["status"], "COMPLETED", "{done}");
    let q = "query($id: ID!) { document(id: $id) { timeline { kind } } }";
    let kinds = clinic.ok("staff", q, json!({"id": id})).await["document"]["timeline"].to_string();
    assert!(kinds.contains("SIGNATURES_VOIDED"));

    let closed = clinic
        .gql(
            "staff",
            "mutation($i: ReviseDocumentInput!) { reviseDocument(input: $i) { id } }",
            json!({"i": {"id": id, "data": {"patient_name": "X"}}}),
        )
        .await;
    assert_eq!(code_and_reason(&closed), ("CONFLICT".into(), "DOCUMENT_CLOSED".into()));
}

#[tokio::test]
async fn a_decline_stops_the_document_and_says_why() {
    let clinic = Clinic::start().await;
    let id = agreement(&clinic).await;
    clinic
        .send(&id, json!([{"userId": clinic.user("patient"), "fieldRole": "patient"}, {"userId": clinic.user("clinician"), "fieldRole": "clinician"}]))
        .await;
    let q = "mutation($id: ID!, $r: String!) { declineDocument(id: $id, reason: $r) { status } }";
    let declined = clinic.ok("patient", q, json!({"id": id, "r": "The dosage is wrong"})).await;
    assert_eq!(declined["declineDocument"]["status"], "DECLINED");
    assert_eq!(code_and_reason(&clinic.sign_typed("clinician", &id, 1, "Dr Rao").await).1, "NOT_PENDING");
    let q =
        "query($id: ID!) { document(id: $id) { signers { status declineReason } timeline { kind detail } } }";
    let d = clinic.ok("staff", q, json!({"id": id})).await["document"].clone();
    assert_eq!(d["signers"][0], json!({"status": "DECLINED", "declineReason": "The dosage is wrong"}));
    assert!(d["timeline"].to_string().contains("The dosage is wrong"));
}

#[tokio::test]
async fn an_uploaded_pdf_is_sealed_with_its_own_pages_and_a_certificate() {
    let clinic = Clinic::start().await;
    let q = "mutation($i: UploadDocumentInput!) { uploadDocument(input: $i) { id } }";
    let input = json!({"i": {"kind": "REFERRAL", "title": "Referral", "contentBase64": b64(&simple_pdf("Referral to cardiology"))}});
    let id = clinic.ok("staff", q, input).await["uploadDocument"]["id"].as_str().expect("id").to_owned();
    clinic.send(&id, json!([{"userId": clinic.user("clinician")}])).await;
    let done = clinic.sign_typed("clinician", &id, 1, "Dr Rao").await;
    assert_eq!(done["data"]["signDocument"]["status"], "COMPLETED", "{done}");
    let sealed = clinic.current_bytes(&id).await;
    keep_sample("sealed-upload.pdf", &sealed);
    let text = pdf_text(&sealed);
    assert!(text.contains("Referral to cardiology"), "the uploaded page: {text:?}");
    assert!(text.contains("Certificate of completion"), "{text:?}");
}

#[tokio::test]
async fn past_the_deadline_a_document_expires_and_quiet_signers_are_reminded() {
    use backbone_entities::documents::{document, signer};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let clinic = Clinic::start().await;
    let services = subgraph_documents::Documents::services(&clinic.app.kit);
    let reminded = agreement(&clinic).await;
    let expiring = agreement(&clinic).await;
    let to_both = json!([{"userId": clinic.user("patient"), "fieldRole": "patient"}, {"userId": clinic.user("clinician"), "fieldRole": "clinician"}]);
    clinic.send(&reminded, to_both.clone()).await;
    clinic.send(&expiring, to_both).await;
    // Time passes: invitations a day old, one deadline gone.
    let day_ago = chrono::Utc::now() - chrono::Duration::hours(25);
    signer::Entity::update_many()
        .col_expr(signer::Column::InvitedAt, Expr::value(day_ago))
        .exec(&clinic.app.kit.db)
        .await
        .expect("age the invitations");
    document::Entity::update_many()
        .col_expr(
            document::Column::SigningDeadline,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(document::Column::Id.eq(uuid::Uuid::parse_str(&expiring).expect("id")))
        .exec(&clinic.app.kit.db)
        .await
        .expect("pass the deadline");

    let (expired, nudged) = subgraph_documents::domain::signing::sweep(&services).await.expect("sweep");
    assert_eq!((expired, nudged), (1, 2), "one expired; the other's two signers reminded");
    let q = "query($id: ID!) { document(id: $id) { status timeline { kind } } }";
    assert_eq!(clinic.ok("staff", q, json!({"id": expiring})).await["document"]["status"], "EXPIRED");
    let d = clinic.ok("staff", q, json!({"id": reminded})).await["document"].clone();
    assert_eq!(d["timeline"].to_string().matches("REMINDED").count(), 2);
    assert_eq!(
        subgraph_documents::domain::signing::sweep(&services).await.expect("sweep"),
        (0, 0),
        "not again so soon"
    );
    let manual =
        clinic.ok("staff", "mutation($id: ID!) { remindSigners(id: $id) }", json!({"id": reminded})).await;
    assert_eq!(manual["remindSigners"], 0, "reminded within the hour");
}
