//! Prescriptions: medicines rendered, signed by the prescriber, sealed,
//! and an SMS-sized summary on its way to the patient.

use backbone_entities::platform::outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use subgraph_kit::testkit::error_codes;

use crate::support::{Clinic, b64, keep_sample, pdf_text};

const ISSUE: &str = "mutation($i: IssuePrescriptionInput!) { issuePrescription(input: $i) { smsSummary document { id kind status currentVersion subjectUserId } } }";

fn prescription(patient: impl ToString, medicines: Value) -> Value {
    json!({"i": {"patientId": patient.to_string(), "diagnosis": "Acute sinusitis", "medicines": medicines,
        "notes": "Review in one week", "signature": {"consentToSignElectronically": true, "kind": "TYPED", "typedName": "Dr Rao"}}})
}

fn amoxicillin_and_paracetamol() -> Value {
    json!([
        {"name": "Amoxicillin 500 mg", "dose": "1 capsule", "frequency": "3 times a day", "durationDays": 5, "instructions": "after food"},
        {"name": "Paracetamol 650 mg", "dose": "1 tablet", "frequency": "when needed", "durationDays": 3}
    ])
}

#[tokio::test]
async fn a_prescription_is_signed_sealed_and_summed_up_for_the_patient() {
    let clinic = Clinic::start().await;
    let issued = clinic
        .ok("clinician", ISSUE, prescription(clinic.user("patient"), amoxicillin_and_paracetamol()))
        .await;
    let issued = &issued["issuePrescription"];
    let doc = &issued["document"];
    assert_eq!(doc["kind"], "PRESCRIPTION");
    assert_eq!(doc["status"], "COMPLETED");
    assert_eq!(doc["subjectUserId"], clinic.user("patient").to_string());
    let summary = issued["smsSummary"].as_str().expect("summary");
    assert!(summary.chars().count() <= 320, "{summary}");
    assert!(summary.contains("Amoxicillin 500 mg 1 capsule, 3 times a day, 5d"), "{summary}");
    assert!(summary.contains("Paracetamol 650 mg"), "{summary}");

    let id = doc["id"].as_str().expect("id");
    let sealed = clinic.current_bytes(id).await;
    keep_sample("prescription.pdf", &sealed);
    let text = pdf_text(&sealed);
    for expected in [
        "Prescription",
        "Acute sinusitis",
        "Amoxicillin 500 mg",
        "3 times a day",
        "after food",
        "Paracetamol 650 mg",
        "Dr Rao",
        "Certificate of completion",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }
    let verify =
        "query($c: String!) { verifyDocument(contentBase64: $c) { status sealValid signers { userId } } }";
    let v = clinic.ok("patient", verify, json!({"c": b64(&sealed)})).await["verifyDocument"].clone();
    assert_eq!(
        v,
        json!({"status": "INTACT", "sealValid": true, "signers": [{"userId": clinic.user("clinician").to_string()}]})
    );

    // On its way to the patient through the outbox.
    let events = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("prescription.issued"))
        .all(&clinic.app.kit.db)
        .await
        .expect("outbox");
    assert_eq!(events.len(), 1);
    let payload: Value = serde_json::from_str(&events[0].payload).expect("payload");
    assert_eq!(payload["summary"], summary);
    assert_eq!(payload["recipientIds"], json!([clinic.user("patient").to_string()]));
}

#[tokio::test]
async fn a_bad_prescription_is_refused_and_only_prescribers_issue() {
    let clinic = Clinic::start().await;
    let patient = clinic.user("patient");
    let no_days = json!([{"name": "Amoxicillin", "dose": "1", "frequency": "daily", "durationDays": 0}]);
    for medicines in
        [json!([]), no_days, json!([{"name": " ", "dose": "1", "frequency": "daily", "durationDays": 2}])]
    {
        let response = clinic.gql("clinician", ISSUE, prescription(patient, medicines)).await;
        assert_eq!(response["errors"][0]["extensions"]["reason"], "INVALID_PRESCRIPTION", "{response}");
    }
    assert_eq!(
        error_codes(
            &clinic.gql("patient", ISSUE, prescription(patient, amoxicillin_and_paracetamol())).await
        ),
        ["FORBIDDEN"]
    );
    let (_, others) = clinic.other_tenant().await;
    let response =
        clinic.gql("clinician", ISSUE, prescription(others["patient"], amoxicillin_and_paracetamol())).await;
    assert_eq!(error_codes(&response), ["NOT_FOUND"]);
    let listed = clinic.ok("tenant_admin", "{ documents { id } }", json!({})).await;
    assert_eq!(listed["documents"], json!([]), "nothing issued");
}
