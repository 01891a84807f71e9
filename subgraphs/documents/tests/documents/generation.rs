//! Templates with every field type rendered to real PDFs whose text a
//! reader extracts; Devanagari, Arabic and CJK text in the shipped fonts.

use serde_json::json;
use subgraph_kit::testkit::error_codes;

use crate::support::{Clinic, pdf_text};

pub const CONSENT_MARKUP: &str = r#"= Consent to treatment

Patient: #field("patient_name")

Age: #field("age")

Visit date: #field("visit_date")

Ward: #field("ward")

Photographs allowed: #field("photos")

Notes: #field("notes")

#v(1cm)
Patient signature: #signature("patient_signature") #h(1cm) Initials: #signature("patient_initials", width: 2cm)
"#;

pub fn consent_fields() -> serde_json::Value {
    json!([
        {"key": "patient_name", "label": "Patient name", "kind": "TEXT", "required": true, "maxLength": 120},
        {"key": "age", "label": "Age", "kind": "NUMBER", "required": true, "min": 0, "max": 130},
        {"key": "visit_date", "label": "Visit date", "kind": "DATE", "required": true},
        {"key": "ward", "label": "Ward", "kind": "CHOICE", "required": true, "options": ["Cardiology", "Oncology"]},
        {"key": "photos", "label": "Photographs allowed", "kind": "CHECKBOX"},
        {"key": "notes", "label": "Notes", "kind": "TEXT"},
        {"key": "patient_signature", "label": "Patient signature", "kind": "SIGNATURE", "required": true, "signerRole": "patient"},
        {"key": "patient_initials", "label": "Initials", "kind": "INITIALS", "signerRole": "patient"}
    ])
}

pub fn consent_data() -> serde_json::Value {
    json!({"patient_name": "Asha Verma", "age": 42, "visit_date": "2026-12-06", "ward": "Oncology", "photos": true, "notes": "Fasting since midnight"})
}

#[tokio::test]
async fn a_template_with_every_field_type_renders_to_a_pdf_with_the_values_as_text() {
    let clinic = Clinic::start().await;
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    let doc = clinic.generate("clinician", &template, consent_data()).await;
    assert_eq!(doc["status"], "DRAFT");
    assert_eq!(doc["currentVersion"], 1);
    let version = &doc["versions"][0];
    assert_eq!(version["origin"], "GENERATED");

    let (status, bytes) =
        clinic.fetch(&clinic.link("clinician", doc["id"].as_str().expect("a string")).await).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    assert_eq!(version["sizeBytes"], bytes.len());
    assert_eq!(
        version["sha256"].as_str().expect("a string"),
        subgraph_documents::domain::versions::sha256(&bytes)
    );
    let text = pdf_text(&bytes);
    for expected in [
        "Consent to treatment",
        "Asha Verma",
        "42",
        "2026-12-06",
        "Oncology",
        "Yes",
        "Fasting since midnight",
        "Patient signature",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF's text: {text:?}");
    }
}

#[tokio::test]
async fn devanagari_arabic_and_cjk_render_in_the_shipped_fonts() {
    let clinic = Clinic::start().await;
    let fields = json!([{"key": "greeting", "label": "Greeting", "kind": "TEXT", "required": true}]);
    let template = clinic.template("greeting", "#field(\"greeting\")", fields).await;
    let greeting = "Namaste नमस्ते Marhaba مرحبا Nihao 你好世界 Konnichiwa こんにちは";
    let doc = clinic.generate("tenant_admin", &template, json!({"greeting": greeting})).await;
    let (_, bytes) =
        clinic.fetch(&clinic.link("tenant_admin", doc["id"].as_str().expect("a string")).await).await;

    crate::support::keep_sample("scripts.pdf", &bytes);
    // Each script is set in its own shipped font, embedded in the file.
    let raw = String::from_utf8_lossy(&bytes);
    for font in
        ["NotoSans-Regular", "NotoSansDevanagari-Regular", "NotoNaskhArabic-Regular", "DroidSansFallback"]
    {
        assert!(raw.contains(font), "{font} embedded");
    }
    // And a reader gets the words back (pdf-extract guesses spaces from
    // glyph positions, and puts one inside a Devanagari conjunct).
    let text = pdf_text(&bytes);
    let joined: String = text.split_whitespace().collect();
    for word in ["Namaste", "नमस्ते", "你好世界", "こんにちは"] {
        assert!(joined.contains(word), "{word:?} in {text:?}");
    }
    let arabic: Vec<char> = "مرحبا".chars().collect();
    assert!(arabic.iter().all(|c| text.contains(*c)), "the Arabic letters in {text:?}");
}

#[tokio::test]
async fn a_value_that_looks_like_markup_prints_as_written() {
    let clinic = Clinic::start().await;
    let fields = json!([{"key": "note", "label": "Note", "kind": "TEXT", "required": true}]);
    let template = clinic.template("note", "Note: #field(\"note\")", fields).await;
    let hostile = "#read(\"/etc/passwd\") ] #panic(\"x\")";
    let doc = clinic.generate("tenant_admin", &template, json!({"note": hostile})).await;
    let (_, bytes) =
        clinic.fetch(&clinic.link("tenant_admin", doc["id"].as_str().expect("a string")).await).await;
    let text = pdf_text(&bytes);
    assert!(text.contains("#read(\"/etc/passwd\")"), "printed, not run: {text:?}");
}

#[tokio::test]
async fn a_template_that_does_not_render_is_refused_with_its_line() {
    let clinic = Clinic::start().await;
    let q = "mutation($i: SaveDocumentTemplateInput!) { saveDocumentTemplate(input: $i) { id } }";
    for (markup, reason) in [
        ("Fine line\n#let x = (\n", "TEMPLATE_ERROR"),
        ("#read(\"/etc/passwd\")", "TEMPLATE_ERROR"),
        ("#import \"@preview/cetz:0.3.0\": *", "TEMPLATE_ERROR"),
        ("#field(\"nope\") #panic(\"boom\")", "TEMPLATE_ERROR"),
    ] {
        let input =
            json!({"key": "broken", "name": "Broken", "kind": "OTHER", "markup": markup, "fields": []});
        let response = clinic.gql("tenant_admin", q, json!({"i": input})).await;
        assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{markup}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["reason"], reason, "{markup}");
    }
    let input = json!({"key": "broken", "name": "Broken", "kind": "OTHER", "markup": "Fine line\n#let x = (\n", "fields": []});
    let response = clinic.gql("tenant_admin", q, json!({"i": input})).await;
    let message = response["errors"][0]["message"].as_str().expect("a string");
    assert!(message.starts_with("template line 2:"), "{message}");
}

#[tokio::test]
async fn saving_a_key_again_writes_its_next_version_and_documents_keep_theirs() {
    let clinic = Clinic::start().await;
    let fields = json!([{"key": "name", "label": "Name", "kind": "TEXT", "required": true}]);
    let v1 = clinic.template("letter", "Version one for #field(\"name\")", fields.clone()).await;
    let first = clinic.generate("tenant_admin", &v1, json!({"name": "Ravi"})).await;
    let v2 = clinic.template("letter", "Version two for #field(\"name\")", fields).await;
    assert_ne!(v1, v2);
    let latest = clinic
        .ok(
            "staff",
            "{ documentTemplate(key: \"letter\") { id version } documentTemplates { key version } }",
            json!({}),
        )
        .await;
    assert_eq!(latest["documentTemplate"]["version"], 2);
    assert_eq!(latest["documentTemplates"], json!([{"key": "letter", "version": 2}]));

    let (_, bytes) =
        clinic.fetch(&clinic.link("tenant_admin", first["id"].as_str().expect("a string")).await).await;
    assert!(pdf_text(&bytes).contains("Version one for Ravi"));
    // Revising with new data renders from the template version the document was made with.
    let q = "mutation($i: ReviseDocumentInput!) { reviseDocument(input: $i) { currentVersion versions { number sha256 } } }";
    let revised =
        clinic.ok("tenant_admin", q, json!({"i": {"id": first["id"], "data": {"name": "Ravi Kumar"}}})).await;
    assert_eq!(revised["reviseDocument"]["currentVersion"], 2);
    let shas: Vec<_> = revised["reviseDocument"]["versions"]
        .as_array()
        .expect("test value")
        .iter()
        .map(|v| v["sha256"].clone())
        .collect();
    assert_eq!(shas[0], first["versions"][0]["sha256"], "version 1 unchanged");
    assert_ne!(shas[0], shas[1]);
    let (_, bytes) =
        clinic.fetch(&clinic.link("tenant_admin", first["id"].as_str().expect("a string")).await).await;
    assert!(pdf_text(&bytes).contains("Version one for Ravi Kumar"));
}
