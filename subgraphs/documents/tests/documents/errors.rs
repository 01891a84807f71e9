//! Bad input gets a coded error and writes nothing.

use serde_json::json;
use subgraph_documents::config::StorageConfig;
use subgraph_kit::testkit::error_codes;

use crate::{
    generation::{CONSENT_MARKUP, consent_data, consent_fields},
    support::{Clinic, b64, simple_pdf},
};

const GENERATE: &str = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id } }";
const UPLOAD: &str =
    "mutation($i: UploadDocumentInput!) { uploadDocument(input: $i) { id versions { sha256 } } }";

fn reason(response: &serde_json::Value) -> String {
    assert_eq!(error_codes(response), ["BAD_USER_INPUT"], "{response}");
    response["errors"][0]["extensions"]["reason"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn data_that_does_not_fit_the_fields_is_refused_by_reason() {
    let clinic = Clinic::start().await;
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    let with = |change: serde_json::Value| {
        let mut data = consent_data();
        for (k, v) in change.as_object().expect("an object") {
            if v.is_null() {
                data.as_object_mut().expect("an object").remove(k);
            } else {
                data[k] = v.clone();
            }
        }
        json!({"i": {"templateId": template, "title": "Consent", "data": data}})
    };
    for (change, expected) in [
        (json!({"patient_name": null}), "MISSING_FIELD"),
        (json!({"age": "forty"}), "WRONG_TYPE"),
        (json!({"age": 200}), "OUT_OF_RANGE"),
        (json!({"visit_date": "06/12/2026"}), "WRONG_TYPE"),
        (json!({"ward": "Radiology"}), "NOT_AN_OPTION"),
        (json!({"photos": "yes"}), "WRONG_TYPE"),
        (json!({"patient_name": "x".repeat(121)}), "TOO_LONG"),
        (json!({"shoe_size": 9}), "UNKNOWN_FIELD"),
        (json!({"patient_signature": "Asha"}), "SIGNED_FIELD"),
    ] {
        let response = clinic.gql("clinician", GENERATE, with(change.clone())).await;
        assert_eq!(reason(&response), expected, "{change}");
    }
    let listed = clinic.ok("tenant_admin", "{ documents { id } }", json!({})).await;
    assert_eq!(listed["documents"], json!([]), "nothing written");
}

#[tokio::test]
async fn an_upload_must_be_a_pdf_within_the_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = StorageConfig::Fs { path: dir.path().display().to_string() };
    let clinic = Clinic::with(storage, |d| d.max_file_bytes = 4_000).await;
    let upload =
        |content: String| json!({"i": {"kind": "REFERRAL", "title": "Referral", "contentBase64": content}});

    let pdf = simple_pdf("Referral to cardiology");
    assert!(pdf.len() < 4_000);
    let ok = clinic.ok("clinician", UPLOAD, upload(b64(&pdf))).await;
    assert_eq!(
        ok["uploadDocument"]["versions"][0]["sha256"],
        subgraph_documents::domain::versions::sha256(&pdf)
    );

    let mut big = pdf.clone();
    big.extend(std::iter::repeat_n(b' ', 5_000));
    assert_eq!(reason(&clinic.gql("clinician", UPLOAD, upload(b64(&big))).await), "FILE_TOO_LARGE");
    assert_eq!(reason(&clinic.gql("clinician", UPLOAD, upload(b64(b"hello, not a pdf"))).await), "NOT_A_PDF");
    let mut truncated = b"%PDF-1.5\n".to_vec();
    truncated.extend_from_slice(&pdf[9..pdf.len() / 3]);
    assert_eq!(reason(&clinic.gql("clinician", UPLOAD, upload(b64(&truncated))).await), "NOT_A_PDF");
    assert_eq!(reason(&clinic.gql("clinician", UPLOAD, upload("%%%".into())).await), "NOT_BASE64");
    assert_eq!(
        std::fs::read_dir(dir.path().join("t")).expect("test value").count(),
        1,
        "only the good upload's tenant folder"
    );
}

#[tokio::test]
async fn only_permitted_roles_write_templates_and_documents() {
    let clinic = Clinic::start().await;
    let q = "mutation($i: SaveDocumentTemplateInput!) { saveDocumentTemplate(input: $i) { id } }";
    let input = json!({"i": {"key": "k", "name": "K", "kind": "OTHER", "markup": "Hi", "fields": []}});
    for role in ["clinician", "patient", "auditor"] {
        assert_eq!(error_codes(&clinic.gql(role, q, input.clone()).await), ["FORBIDDEN"], "{role}");
    }
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    let generate = json!({"i": {"templateId": template, "title": "Consent", "data": consent_data()}});
    assert_eq!(error_codes(&clinic.gql("patient", GENERATE, generate).await), ["FORBIDDEN"]);
    let anonymous = clinic.app.gql(None, "{ documents { id } }", json!({})).await.expect("request");
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
}
