//! Versions' bytes on the local file system and on a real S3-compatible
//! server: written once under their key, read back intact.

use serde_json::json;
use subgraph_kit::testkit::s3::S3Server;

use crate::{
    generation::{CONSENT_MARKUP, consent_data, consent_fields},
    support::{Clinic, b64, simple_pdf},
};

#[tokio::test]
async fn versions_are_kept_on_a_real_s3_compatible_server() {
    let s3 = S3Server::start("documents").await.expect("s3 server");
    let clinic = Clinic::on_s3(&s3).await;
    let template = clinic.template("consent", CONSENT_MARKUP, consent_fields()).await;
    let doc = clinic.generate("clinician", &template, consent_data()).await;
    let id = doc["id"].as_str().expect("a string");
    let pdf = simple_pdf("Revised by hand");
    let q = "mutation($i: ReviseDocumentInput!) { reviseDocument(input: $i) { versions { number sha256 origin } } }";
    let revised = clinic.ok("tenant_admin", q, json!({"i": {"id": id, "contentBase64": b64(&pdf)}})).await;
    assert_eq!(revised["reviseDocument"]["versions"][1]["origin"], "UPLOADED");

    let keys = s3.keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let prefix = format!("t/{}/d/{id}/", clinic.tenant);
    assert!(keys.iter().all(|k| k.starts_with(&prefix)), "{keys:?}");

    let (status, bytes) = clinic.fetch(&clinic.link("tenant_admin", id).await).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, pdf, "the current version, byte for byte");
}

#[tokio::test]
async fn a_version_changed_in_the_store_is_not_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = subgraph_documents::config::StorageConfig::Fs { path: dir.path().display().to_string() };
    let clinic = Clinic::with(storage, |_| {}).await;
    let q = "mutation($i: UploadDocumentInput!) { uploadDocument(input: $i) { id } }";
    let input = json!({"i": {"kind": "OTHER", "title": "Scan", "contentBase64": b64(&simple_pdf("Scan"))}});
    let id =
        clinic.ok("staff", q, input).await["uploadDocument"]["id"].as_str().expect("a string").to_owned();
    let folder = dir.path().join("t").join(clinic.tenant.to_string()).join("d").join(&id);
    let file = std::fs::read_dir(&folder)
        .expect("test value")
        .next()
        .expect("test value")
        .expect("test value")
        .path();
    let mut bytes = std::fs::read(&file).expect("test value");
    let last = bytes.len() - 10;
    bytes[last] ^= 0x20;
    std::fs::write(&file, bytes).expect("test value");
    assert_eq!(clinic.fetch(&clinic.link("staff", &id).await).await.0, 500);
}
