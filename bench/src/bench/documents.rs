//! `backbone-bench bench-documents`: the documents subgraph's two hot
//! paths (docs/benchmarks.md).
//!
//! 1. Generation: a two-page template with 30 fields rendered to PDF,
//!    one render at a time on one thread (one core): PDFs/s, p50, p99;
//!    then the same through `documents::create` (render, SHA-256, the
//!    object store in memory, rows on SQLite).
//! 2. Verification: 1 MB PDFs kept as documents, then verified from
//!    their bytes (SHA-256, lookup, seal check) one at a time: PDFs/s,
//!    p50, p99.

use std::time::Instant;

use anyhow::Context;
use backbone_entities::documents::document::DocumentKind;
use serde_json::{Value, json};
use subgraph_documents::{
    config::{DocumentsConfig, StorageConfig},
    domain::{
        Services,
        documents::{self, Source, Subjects},
        fields::{self, Field, FieldKind},
        rendering::{self, Page},
        templates::{self, NewTemplate},
        verification,
    },
};
use uuid::Uuid;

/// Settings of the documents benchmark.
#[derive(Debug, Clone)]
pub struct DocumentsSettings {
    /// Renders measured (after 20 unmeasured).
    pub renders: usize,
    /// Verifications measured.
    pub verifies: usize,
}

const MARKUP: &str = r#"= Discharge summary

#table(
  columns: (auto, 1fr),
  stroke: 0.4pt + gray,
  ..range(1, 30).map(i => ([Field #i], [#field("f" + str(i))])).flatten(),
)

#lorem(600)

Signed: #signature("f30")
"#;

fn template_fields() -> Vec<Field> {
    (1..=30)
        .map(|i| {
            let kind = match i {
                30 => FieldKind::Signature,
                _ => [
                    FieldKind::Text,
                    FieldKind::Number,
                    FieldKind::Date,
                    FieldKind::Choice,
                    FieldKind::Checkbox,
                ][i % 5],
            };
            Field {
                key: format!("f{i}"),
                label: format!("Field {i}"),
                kind,
                required: i != 30,
                max_length: None,
                min: None,
                max: None,
                options: if kind == FieldKind::Choice {
                    vec!["Ward A".into(), "Ward B".into()]
                } else {
                    vec![]
                },
                signer_role: None,
            }
        })
        .collect()
}

/// The data of document `n`: every text field says `n`, so no render
/// reuses another's layout from Typst's memo cache.
fn data(n: usize) -> Value {
    let mut values = serde_json::Map::new();
    for f in template_fields().iter().filter(|f| !f.kind.is_signed()) {
        let i: usize = f.key[1..].parse().unwrap_or(0);
        let v = match f.kind {
            FieldKind::Text => {
                json!(format!("Value of field {i} in document {n}: नमस्ते, observed and recorded"))
            }
            FieldKind::Number => json!(i * 7 + n),
            FieldKind::Date => json!("2026-12-06"),
            FieldKind::Choice => json!("Ward B"),
            _ => json!(true),
        };
        values.insert(f.key.clone(), v);
    }
    Value::Object(values)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0)
}

fn report(what: &str, mut ms: Vec<f64>, total_s: f64) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: {:.1}/s, p50 {:.2} ms, p99 {:.2} ms ({} runs)",
        ms.len() as f64 / total_s,
        pct(&ms, 0.5),
        pct(&ms, 0.99),
        ms.len()
    );
}

/// A PDF of about `size` bytes: one page of text and a filler stream.
fn big_pdf(size: usize, seed: u64) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content =
        Stream::new(dictionary! {}, format!("BT /F1 12 Tf 72 720 Td (Scan {seed}) Tj ET").into_bytes());
    let content_id = doc.add_object(content);
    let font_id =
        doc.add_object(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"});
    let page_id = doc
        .add_object(dictionary! {"Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => dictionary! {"Font" => dictionary! {"F1" => font_id}}});
    // An attached scan's worth of bytes (unique per document).
    let filler: Vec<u8> =
        (0..size).map(|i| ((i as u64).wrapping_mul(2654435761).wrapping_add(seed) >> 7) as u8).collect();
    doc.add_object(Stream::new(dictionary! {}, filler));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()]}),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    let _ = doc.save_to(&mut out);
    out
}

/// Runs both parts on SQLite with the object store in memory.
pub async fn run(s: DocumentsSettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let dir = super::subscriptions::tempfile_dir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("documents.db").display());
    let db = subgraph_kit::db::connect_and_migrate(&url).await?;
    let settings = DocumentsConfig {
        storage: StorageConfig::Memory,
        max_file_bytes: 4 * 1024 * 1024,
        ..DocumentsConfig::default()
    };
    let services = Services::open(db.clone(), settings);
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());

    // 1a. Rendering alone, one thread.
    let fields = template_fields();
    let page = |n: usize| -> anyhow::Result<Page> {
        Ok(Page {
            markup: MARKUP.into(),
            title: "Discharge summary".into(),
            marker: Some(Uuid::now_v7()),
            filled: fields::fill(&fields, &data(n))?,
            ..Page::default()
        })
    };
    let today = chrono::Utc::now().date_naive();
    let sample = rendering::render_now(&page(0)?, today)?;
    let page_count = lopdf::Document::load_mem(&sample).context("the sample reads")?.get_pages().len();
    println!("\ngeneration: {page_count}-page template, 30 fields, {} bytes per PDF", sample.len());
    let pages: Vec<Page> = (1..=s.renders + 20).map(page).collect::<anyhow::Result<_>>()?;
    let (ms, total) = tokio::task::spawn_blocking(move || {
        for p in &pages[..20] {
            let _ = rendering::render_now(p, today);
        }
        let start = Instant::now();
        let mut ms = Vec::with_capacity(pages.len() - 20);
        for p in &pages[20..] {
            let t = Instant::now();
            let _ = rendering::render_now(p, today);
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        (ms, start.elapsed().as_secs_f64())
    })
    .await?;
    report("  render on one thread (one core)", ms, total);

    // 1b. Through the domain: render, hash, store, rows.
    let new = NewTemplate {
        key: "discharge".into(),
        name: "Discharge summary".into(),
        kind: DocumentKind::Other,
        markup: MARKUP.into(),
        fields,
    };
    let t = templates::save(&services, tenant, user, new).await?;
    let template =
        subgraph_kit::tenancy::Ref::<backbone_entities::documents::template::Entity>::find(&db, tenant, t.id)
            .await?;
    let (mut ms, start) = (Vec::with_capacity(s.renders), Instant::now());
    for n in 0..s.renders {
        let t = Instant::now();
        let source = Source::Template { template: Box::new(template.clone()), data: data(100_000 + n) };
        documents::create(&services, tenant, user, "Discharge summary".into(), source, Subjects::default())
            .await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("  generateDocument's work (render, SHA-256, store, SQLite)", ms, start.elapsed().as_secs_f64());

    // 2. Verification of 1 MB PDFs.
    let files: Vec<Vec<u8>> = (0..20).map(|i| big_pdf(1024 * 1024, i)).collect();
    for (i, bytes) in files.iter().enumerate() {
        let source = Source::Upload { kind: DocumentKind::Other, bytes: bytes.clone() };
        documents::create(&services, tenant, user, format!("Scan {i}"), source, Subjects::default()).await?;
    }
    println!("\nverification: {} bytes per PDF", files[0].len());
    let (mut ms, start) = (Vec::with_capacity(s.verifies), Instant::now());
    for i in 0..s.verifies {
        let t = Instant::now();
        let v = verification::verify(&db, tenant, &files[i % files.len()]).await?;
        anyhow::ensure!(v.verdict == verification::Verdict::Intact, "a kept PDF verifies");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("  verifyDocument's work (SHA-256, lookup), one at a time", ms, start.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
