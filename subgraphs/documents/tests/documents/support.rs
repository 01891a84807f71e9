//! A documents subgraph over a fresh database with a seeded tenant, its
//! files in a temporary directory or on an S3-compatible server, and
//! helpers to write templates and documents through the API.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Value, json};
use subgraph_documents::config::{DocumentsConfig, StorageConfig};
use subgraph_kit::{
    config::Config,
    testkit::{TestApp, data, s3::S3Server},
};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

pub const LINK_KEY: &str = "documents-test-link-key";

pub struct Clinic {
    pub app: TestApp,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
    _files: Option<tempfile::TempDir>,
}

impl Clinic {
    /// Files on the local file system.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = StorageConfig::Fs { path: dir.path().display().to_string() };
        let mut clinic = Self::with(storage, |_| {}).await;
        clinic._files = Some(dir);
        clinic
    }

    /// Files on `s3`.
    pub async fn on_s3(s3: &S3Server) -> Self {
        let storage = StorageConfig::S3 {
            bucket: s3.bucket.clone(),
            endpoint: Some(s3.endpoint.clone()),
            region: "us-east-1".into(),
            access_key_id: s3.access_key.clone(),
            secret_access_key: s3.secret_key.clone().into(),
            allow_http: true,
        };
        Self::with(storage, |_| {}).await
    }

    pub async fn with(storage: StorageConfig, adjust: impl FnOnce(&mut DocumentsConfig)) -> Self {
        let configure = |config: &mut Config| {
            config
                .sections
                .update::<DocumentsConfig>(subgraph_documents::NAME, |d| {
                    d.storage = storage;
                    d.link_key = Some(LINK_KEY.to_owned().into());
                    adjust(d);
                })
                .expect("documents table");
        };
        let app = TestApp::serve(&subgraph_documents::Documents, &[&subgraph_tenants::Tenants], configure)
            .await
            .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let users = users.into_iter().map(|u| (u.role, u.id)).collect();
        Self { app, tenant, users, _files: None }
    }

    /// A second tenant on the same server, with its own users.
    pub async fn other_tenant(&self) -> (Uuid, HashMap<&'static str, Uuid>) {
        let (tenant, users) = demo::seed_tenant(&self.app.kit, "Other Clinic", "other").await.expect("seed");
        (tenant, users.into_iter().map(|u| (u.role, u.id)).collect())
    }

    pub fn user(&self, role: &str) -> Uuid {
        self.users[role]
    }

    pub fn token(&self, role: &str) -> String {
        self.app.token(self.tenant, self.user(role), &[role])
    }

    pub async fn gql(&self, role: &str, query: &str, variables: Value) -> Value {
        self.app.gql(Some(&self.token(role)), query, variables).await.expect("request")
    }

    pub async fn ok(&self, role: &str, query: &str, variables: Value) -> Value {
        data(self.gql(role, query, variables).await)
    }

    /// Saves `markup` with `fields` as template `key`; returns its id.
    pub async fn template(&self, key: &str, markup: &str, fields: Value) -> String {
        let q = "mutation($i: SaveDocumentTemplateInput!) { saveDocumentTemplate(input: $i) { id version } }";
        let input = json!({"key": key, "name": "Consent to treatment", "kind": "CONSENT_FORM", "markup": markup, "fields": fields});
        self.ok("tenant_admin", q, json!({"i": input})).await["saveDocumentTemplate"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Generates a document from `template` with `data`; returns the document.
    pub async fn generate(&self, role: &str, template: &str, data: Value) -> Value {
        let q = "mutation($i: GenerateDocumentInput!) { generateDocument(input: $i) { id status currentVersion versions { number sha256 sizeBytes origin } } }";
        let input = json!({"templateId": template, "title": "Consent", "data": data, "subjects": {"subjectUserId": self.user("patient")}});
        self.ok(role, q, json!({"i": input})).await["generateDocument"].clone()
    }

    /// A download link to `document`'s current version, made by `role`.
    pub async fn link(&self, role: &str, document: &str) -> String {
        let q = "mutation($id: ID!) { documentDownloadLink(id: $id) { url expiresAt } }";
        let url = self.ok(role, q, json!({"id": document})).await["documentDownloadLink"]["url"]
            .as_str()
            .expect("url")
            .to_owned();
        // Links are relative to `[documents] public_url`, unset here: the subgraph serves them.
        let path = url.trim_start_matches("/files/documents");
        format!("http://{}/files{path}", self.app.addr)
    }

    /// GETs `url`: status and body.
    pub async fn fetch(&self, url: &str) -> (u16, Vec<u8>) {
        let response = self.app.http.get(url).send().await.expect("download");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("body").to_vec())
    }
}

/// The text of a PDF, as a reader extracts it.
pub fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF's text extracts")
}

/// A small valid PDF (one page saying `text`), made with lopdf.
pub fn simple_pdf(text: &str) -> Vec<u8> {
    use lopdf::{
        Document, Object, Stream,
        content::{Content, Operation},
        dictionary,
    };
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id =
        doc.add_object(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"});
    let resources_id = doc.add_object(dictionary! {"Font" => dictionary! {"F1" => font_id}});
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 24.into()]),
            Operation::new("Td", vec![100.into(), 600.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().expect("encode")));
    let page_id =
        doc.add_object(dictionary! {"Type" => "Page", "Parent" => pages_id, "Contents" => content_id});
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1, "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()]}),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A 1×1 PNG, base64: a drawn signature.
pub const DOT_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

impl Clinic {
    /// A GraphQL request as `role` from a browser that says `user_agent`.
    pub async fn gql_from_browser(
        &self,
        role: &str,
        user_agent: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        self.app
            .http
            .post(self.app.url())
            .bearer_auth(self.token(role))
            .header("user-agent", user_agent)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }

    /// Sends `document` for signature to `signers` (`[{userId, step, role, fieldRole}]`).
    pub async fn send(&self, document: &str, signers: Value) -> Value {
        let q = "mutation($i: SendForSignatureInput!) { sendForSignature(input: $i) { status signers { userId step status } } }";
        self.ok("staff", q, json!({"i": {"documentId": document, "signers": signers}})).await["sendForSignature"].clone()
    }

    /// Signs `document`'s `version` as `role` with a typed name; the whole response.
    pub async fn sign_typed(&self, role: &str, document: &str, version: i64, name: &str) -> Value {
        let q = "mutation($i: SignDocumentInput!) { signDocument(input: $i) { status currentVersion } }";
        let input = json!({"documentId": document, "version": version, "consentToSignElectronically": true,
            "kind": "TYPED", "typedName": name});
        self.gql_from_browser(role, &format!("{role}-browser/1.0"), q, json!({"i": input})).await
    }

    /// `document`'s bytes at its current version.
    pub async fn current_bytes(&self, document: &str) -> Vec<u8> {
        let (status, bytes) = self.fetch(&self.link("tenant_admin", document).await).await;
        assert_eq!(status, 200);
        bytes
    }
}

/// Writes `bytes` under `target/samples/` for a person to look at.
pub fn keep_sample(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/samples");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), bytes);
    }
}
