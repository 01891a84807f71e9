//! Rendering a template with checked data, on the blocking pool and
//! within the configured number of renders at once.

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use subgraph_kit::{ApiError, ApiResult};

use super::{Services, fields::Filled, invalid};
use crate::render::{self, RenderError};

/// A signature to print in a signature field.
#[derive(Debug, Clone)]
pub enum Mark {
    /// A typed name.
    Typed(String),
    /// A drawn signature, PNG.
    Drawn(Vec<u8>),
}

/// Everything a render prints.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The template's markup.
    pub markup: String,
    /// The document's title (PDF metadata too).
    pub title: String,
    /// The document's id, written into the PDF's keywords so a copy can
    /// be told apart from other documents when it is verified.
    pub marker: Option<uuid::Uuid>,
    /// The checked data.
    pub filled: Filled,
    /// Signatures by field key.
    pub marks: Vec<(String, Mark)>,
    /// The uploaded PDF being sealed and its page count.
    pub original: Option<(Vec<u8>, usize)>,
    /// The completion certificate's data (see `backbone.typ`).
    pub certificate: Option<Value>,
}

/// What the keyword naming a document in its PDFs starts with; the
/// document's id follows.
pub const MARKER_PREFIX: &str = "backbone-document:";

/// The keyword that names a document in its PDFs.
pub fn marker_keyword(document_id: uuid::Uuid) -> String {
    format!("{MARKER_PREFIX}{document_id}")
}

/// Renders `page` to PDF bytes.
pub async fn pdf(services: &Services, page: Page) -> ApiResult<Vec<u8>> {
    let _permit =
        services.renders.acquire().await.map_err(|_| ApiError::Internal("render pool closed".into()))?;
    tokio::task::spawn_blocking(move || render_now(&page, Utc::now().date_naive()))
        .await
        .map_err(|e| ApiError::Internal(format!("render task: {e}")))?
}

/// Renders `page` on this thread (benchmarks and the blocking pool).
pub fn render_now(page: &Page, today: NaiveDate) -> ApiResult<Vec<u8>> {
    let mut images = Vec::new();
    let mut signatures = serde_json::Map::new();
    for (key, mark) in &page.marks {
        let entry = match mark {
            Mark::Typed(text) => json!({"kind": "typed", "text": text}),
            Mark::Drawn(png) => {
                images.push(png.clone());
                json!({"kind": "drawn", "path": format!("/img/{}.png", images.len() - 1)})
            }
        };
        signatures.insert(key.clone(), entry);
    }
    let keywords: Vec<String> = page.marker.map(marker_keyword).into_iter().collect();
    let data = json!({
        "title": page.title,
        "keywords": keywords,
        "values": Value::Object(page.filled.printed.clone()),
        "raw": Value::Object(page.filled.raw.clone()),
        "signatures": Value::Object(signatures),
        "original": {"pages": page.original.as_ref().map_or(0, |o| o.1)},
        "certificate": page.certificate.clone().unwrap_or(Value::Null),
    });
    let job = render::Job {
        markup: &page.markup,
        data: &data,
        images: &images,
        original: page.original.as_ref().map(|o| o.0.as_slice()),
        today,
    };
    render::pdf(&job).map_err(|e| match e {
        RenderError::Template { .. } => invalid("TEMPLATE_ERROR", e.to_string()),
        RenderError::TooManyImages => invalid("TOO_MANY_SIGNATURES", e.to_string()),
    })
}
