//! Documents end to end: a document generated through the router is
//! downloaded from the router's own origin (`/files/documents/…`), and
//! the router refuses what is not a link.

use serde_json::json;

use crate::realtime::scene::Scene;

#[tokio::test]
async fn a_generated_document_downloads_through_the_routers_origin() {
    let scene = Scene::start().await;
    let q = "mutation($i: SaveDocumentTemplateInput!) { saveDocumentTemplate(input: $i) { id } }";
    let template = json!({"key": "referral", "name": "Referral", "kind": "REFERRAL",
        "markup": "= Referral\nPlease see #field(\"name\").",
        "fields": [{"key": "name", "label": "Name", "kind": "TEXT", "required": true}]});
    let id =
        scene.ok(Some("tenant_admin"), q, json!({"i": template})).await["saveDocumentTemplate"]["id"].clone();
    let q = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id versions { sha256 } } }";
    let input = json!({"templateId": id, "title": "Referral", "data": {"name": "Meera Iyer"},
        "subjects": {"subjectUserId": scene.user("patient")}});
    let doc = scene.ok(Some("clinician"), q, json!({"i": input})).await["generateDocument"].clone();
    let q = "mutation($id: ID!) { documentDownloadLink(id: $id) { url } }";
    let link = scene.ok(Some("patient"), q, json!({"id": doc["id"]})).await["documentDownloadLink"]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let front = format!("http://{}/files/documents/", scene.graph.front);
    assert!(link.starts_with(&front), "{link} is on the router's origin");

    let response = scene.http.get(&link).send().await.expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["x-content-sha256"], doc["versions"][0]["sha256"].as_str().expect("a sha"));
    let bytes = response.bytes().await.expect("body");
    assert_eq!(
        subgraph_documents::domain::versions::sha256(&bytes),
        doc["versions"][0]["sha256"].as_str().expect("a sha")
    );

    for bad in ["files/documents/not-a-token", "files/nosuch/abc", "files/documents/..%2F..%2Fgraphql"] {
        let status = scene
            .http
            .get(format!("http://{}/{bad}", scene.graph.front))
            .send()
            .await
            .expect("request")
            .status();
        assert!(status == 403 || status == 404, "{bad}: {status}");
    }
}
