//! DSAR through the data contract: the export carries the files; erasure
//! removes a person's documents and their bytes from a real S3-compatible
//! store, keeps what a legal hold keeps, and unlinks them from documents
//! about others; retention purges a kind of document by age.

use base64::Engine as _;
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::json;
use subgraph_documents::domain::data::DocumentsData;
use subgraph_kit::{
    contract::{DataContract, Person, Purge, Subject},
    testkit::s3::S3Server,
};

use crate::support::{Clinic, DOT_PNG, b64, simple_pdf};

async fn upload(clinic: &Clinic, title: &str, about: Option<&str>) -> String {
    let q = "mutation($i: UploadDocumentInput!) { uploadDocument(input: $i) { id } }";
    let subjects = about.map_or(json!({}), |role| json!({"subjectUserId": clinic.user(role)}));
    let input = json!({"i": {"kind": "CONSENT_FORM", "title": title, "contentBase64": b64(&simple_pdf(title)), "subjects": subjects}});
    clinic.ok("staff", q, input).await["uploadDocument"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn erasure_leaves_no_object_of_the_person_in_the_store_but_what_a_legal_hold_keeps() {
    let s3 = S3Server::start("documents").await.expect("s3");
    let clinic = Clinic::on_s3(&s3).await;
    let mine = upload(&clinic, "Asha consent", Some("patient")).await;
    let held = upload(&clinic, "Asha court record", Some("patient")).await;
    let theirs = upload(&clinic, "Clinician contract", Some("clinician")).await;
    clinic
        .ok(
            "tenant_admin",
            "mutation($id: ID!) { setDocumentLegalHold(id: $id, hold: true) { legalHold } }",
            json!({"id": held}),
        )
        .await;
    // The patient witnesses the clinician's contract with a drawn signature.
    clinic.send(&theirs, json!([{"userId": clinic.user("patient")}])).await;
    let q = "mutation($i: SignDocumentInput!) { signDocument(input: $i) { status } }";
    let drawn = json!({"i": {"documentId": theirs, "version": 1, "consentToSignElectronically": true, "kind": "DRAWN", "drawingPngBase64": DOT_PNG}});
    assert_eq!(clinic.ok("patient", q, drawn).await["signDocument"]["status"], "COMPLETED");
    // And declines another, in words of their own.
    let declined = upload(&clinic, "Clinician appraisal", Some("clinician")).await;
    clinic.send(&declined, json!([{"userId": clinic.user("patient")}])).await;
    let q = "mutation($id: ID!, $r: String!) { declineDocument(id: $id, reason: $r) { status } }";
    let reason = "My neighbour works at this clinic";
    assert_eq!(
        clinic.ok("patient", q, json!({"id": declined, "r": reason})).await["declineDocument"]["status"],
        "DECLINED"
    );
    let prefix = |id: &str| format!("t/{}/d/{id}/", clinic.tenant);
    assert!(
        s3.keys().iter().any(|k| k.starts_with(&prefix(&theirs)) && k.contains("/signatures/")),
        "{:?}",
        s3.keys()
    );

    let contract = DocumentsData { store: subgraph_documents::Documents::services(&clinic.app.kit).store };
    let who = Person::new(Subject { tenant_id: clinic.tenant, user_id: clinic.user("patient") }, []);
    let db = &clinic.app.kit.db;
    let exported = contract.export(db, &who).await.expect("export");
    let docs = exported["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 4, "about them (2) and asked to sign (2)");
    let own = docs.iter().find(|d| d["id"] == mine.as_str()).expect("their consent");
    let file = base64::engine::general_purpose::STANDARD
        .decode(own["versions"][0]["contentBase64"].as_str().expect("file"))
        .expect("base64");
    assert_eq!(file, simple_pdf("Asha consent"), "the export carries the file itself");

    let txn = db.begin().await.expect("txn");
    let counts = contract.erase(&txn, &who).await.expect("erase");
    subgraph_kit::db::commit(txn).await.expect("commit");
    assert_eq!(counts["documents"], 1);

    let keys = s3.keys();
    assert!(
        !keys.iter().any(|k| k.starts_with(&prefix(&mine))),
        "no object of the erased document: {keys:?}"
    );
    assert!(keys.iter().any(|k| k.starts_with(&prefix(&held))), "the held one stays");
    assert!(!keys.iter().any(|k| k.contains("/signatures/")), "their drawn signature is gone: {keys:?}");
    assert!(keys.iter().any(|k| k.starts_with(&prefix(&theirs))), "the clinician's sealed contract stays");

    use backbone_entities::documents::{document, event, signer};
    let left: Vec<_> =
        document::Entity::find().all(db).await.expect("rows").into_iter().map(|d| d.id.to_string()).collect();
    assert!(!left.contains(&mine) && left.contains(&held) && left.contains(&theirs));
    let patient = clinic.user("patient");
    assert!(
        signer::Entity::find()
            .all(db)
            .await
            .expect("rows")
            .iter()
            .all(|s| s.user_id != patient && s.ip.is_none())
    );
    let events = event::Entity::find().all(db).await.expect("rows");
    assert!(events.iter().all(|e| e.actor_id != Some(patient)
        && !e.detail.clone().unwrap_or_default().contains(&patient.to_string())));
    assert!(
        events.iter().all(|e| !e.detail.clone().unwrap_or_default().contains(reason)),
        "their own words are gone"
    );
    let signers = signer::Entity::find().all(db).await.expect("rows");
    assert!(signers.iter().all(|s| s.decline_reason.is_none()), "the decline's reason too");
}

#[tokio::test]
async fn retention_purges_one_kind_by_age_with_its_files() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = subgraph_documents::config::StorageConfig::Fs { path: dir.path().display().to_string() };
    let clinic = Clinic::with(storage, |_| {}).await;
    let old = upload(&clinic, "Old consent", Some("patient")).await;
    let held = upload(&clinic, "Held consent", None).await;
    clinic
        .ok(
            "tenant_admin",
            "mutation($id: ID!) { setDocumentLegalHold(id: $id, hold: true) { id } }",
            json!({"id": held}),
        )
        .await;
    let contract = DocumentsData { store: subgraph_documents::Documents::services(&clinic.app.kit).store };
    let purge = |data_type: &str, dry_run| Purge {
        tenant_id: clinic.tenant,
        data_type: data_type.into(),
        before: chrono::Utc::now() + chrono::Duration::seconds(1),
        exceptions: vec![],
        dry_run,
    };
    let db = &clinic.app.kit.db;
    assert_eq!(
        contract.purge(db, &purge("documents_prescription", false)).await.expect("purge"),
        0,
        "another kind"
    );
    assert_eq!(contract.purge(db, &purge("documents_consent_form", true)).await.expect("dry run"), 1);
    assert_eq!(contract.purge(db, &purge("documents_consent_form", false)).await.expect("purge"), 1);
    let tenant_dir = dir.path().join("t").join(clinic.tenant.to_string()).join("d");
    let folders: Vec<String> = std::fs::read_dir(&tenant_dir)
        .expect("dir")
        .flatten()
        .filter(|e| std::fs::read_dir(e.path()).map(|mut d| d.next().is_some()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders, std::slice::from_ref(&held), "the old one's files are gone, the held one's stay");
    assert!(!folders.contains(&old));
}
