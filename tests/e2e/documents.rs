//! Documents end to end: a document generated through the router is
//! downloaded from the router's own origin (`/files/documents/…`), and
//! the router refuses what is not a link; a signing flow through the
//! router, with the invitation in the signer's inbox (notifications), the
//! changes pushed over WebSocket, and a person's documents on the
//! federated `User`.

use std::time::Duration;

use serde_json::json;

use crate::realtime::scene::{Scene, WITHIN, eventually, fast};

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

#[tokio::test]
async fn a_signing_invitation_reaches_the_inbox_and_each_step_is_pushed() {
    let scene = Scene::start_with(fast, backbone::dev::DevOptions::default()).await;
    let q = "mutation($i: SaveDocumentTemplateInput!) { saveDocumentTemplate(input: $i) { id } }";
    let template = json!({"key": "consent", "name": "Consent", "kind": "CONSENT_FORM",
        "markup": "I, #field(\"name\"), consent. #signature(\"sig\")",
        "fields": [{"key": "name", "label": "Name", "kind": "TEXT", "required": true},
                   {"key": "sig", "label": "Signature", "kind": "SIGNATURE", "required": true}]});
    let id =
        scene.ok(Some("tenant_admin"), q, json!({"i": template})).await["saveDocumentTemplate"]["id"].clone();
    let q = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id } }";
    let input = json!({"templateId": id, "title": "Consent to photographs", "data": {"name": "Asha"},
        "subjects": {"subjectUserId": scene.user("patient")}});
    let doc = scene.ok(Some("staff"), q, json!({"i": input})).await["generateDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let mut ws = scene.ws(Some("patient"), "graphql-transport-ws").await;
    let watch = "subscription($d: ID) { documentStatusChanged(documentId: $d) { event document { status currentVersion } } }";
    ws.subscribe("d", watch, json!({"d": doc})).await.expect("subscribe");
    eventually(WITHIN, "the feed is open", || async { scene.graph.realtime.feeds.open() == 1 }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let q = "mutation($i: SendForSignatureInput!) { sendForSignature(input: $i) { status } }";
    let send = json!({"i": {"documentId": doc, "signers": [{"userId": scene.user("patient")}]}});
    assert_eq!(scene.ok(Some("staff"), q, send).await["sendForSignature"]["status"], "PENDING");
    let pushed = ws.next(WITHIN).await.expect("sent pushed");
    let change = &pushed["payload"]["data"]["documentStatusChanged"];
    assert_eq!(change["event"], "document.signature_requested", "{pushed}");
    assert_eq!(change["document"]["status"], "PENDING");

    let inbox = "{ notifications(first: 20) { edges { node { title } } } }";
    eventually(Duration::from_secs(15), "the invitation in the patient's inbox", || async {
        let n = scene.ok(Some("patient"), inbox, json!({})).await;
        n.to_string().contains("Please sign: Consent to photographs")
    })
    .await;

    let q = "mutation($i: SignDocumentInput!) { signDocument(input: $i) { status } }";
    let sign = json!({"i": {"documentId": doc, "version": 1, "consentToSignElectronically": true, "kind": "TYPED", "typedName": "Asha"}});
    assert_eq!(scene.ok(Some("patient"), q, sign).await["signDocument"]["status"], "COMPLETED");
    let mut events = Vec::new();
    while let Ok(m) = ws.next(Duration::from_secs(5)).await {
        let change = m["payload"]["data"]["documentStatusChanged"].clone();
        events.push(change["event"].as_str().unwrap_or_default().to_owned());
        if change["event"] == "document.completed" {
            assert_eq!(change["document"], json!({"status": "COMPLETED", "currentVersion": 2}));
            break;
        }
    }
    assert_eq!(events, ["document.signed", "document.completed"]);

    // The patient's documents on the federated User, beside the tenants subgraph's fields.
    let q = "query($u: ID!) { user(id: $u) { displayName documents { title status } } }";
    let u = scene.ok(Some("staff"), q, json!({"u": scene.user("patient")})).await;
    assert_eq!(u["user"]["displayName"], "Demo patient", "{u}");
    assert_eq!(u["user"]["documents"], json!([{"title": "Consent to photographs", "status": "COMPLETED"}]));
}
