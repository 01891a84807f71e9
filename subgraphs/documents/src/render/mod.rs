//! Typst used as a library: a template's markup and its data become a PDF
//! inside the process, with no browser and no network.
//!
//! A render sees five kinds of file and nothing else: the template
//! (`/main.typ`, after a one-line header), the platform's prelude
//! (`/backbone.typ`), the data (`/data.json`), drawn signatures
//! (`/img/N.png`) and, when sealing an uploaded PDF, its bytes
//! (`/original.pdf`). Values reach the page only as JSON strings, never as
//! markup, so a value holding `#` or `]` prints as written and cannot run
//! code. Packages are refused (they would need the network).

pub mod fonts;

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::{
    Library, LibraryExt, World,
    diag::{FileError, FileResult, Severity, SourceDiagnostic},
    foundations::{Bytes, Datetime},
    syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot},
    text::{Font, FontBook},
    utils::LazyHash,
};
use typst_layout::PagedDocument;

/// The prelude every template imports: `data`, `field(key)` and
/// `signature(key)`.
const PRELUDE: &str = include_str!("backbone.typ");

/// The one-line header before a template's own markup. It is one line so
/// that a diagnostic's line number is the template's line plus one.
fn header() -> String {
    let families = fonts::FALLBACK.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    format!(
        "#import \"/backbone.typ\": *; #set text(font: ({families}), size: 10.5pt); \
         #set page(paper: \"a4\", margin: 2cm); #set document(title: data.title, keywords: data.keywords)\n"
    )
}

/// How many drawn signatures one render may carry (their paths are fixed
/// so Typst's global file-id table stays small).
pub const MAX_IMAGES: usize = 64;

/// The fonts and standard library, built once per process.
struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    header: String,
    ids: Ids,
}

/// The fixed file ids a render uses.
struct Ids {
    main: FileId,
    prelude: FileId,
    data: FileId,
    original: FileId,
    images: Vec<FileId>,
}

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("a fixed, valid virtual path");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let (book, fonts) = fonts::load();
    Engine {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(book),
        fonts,
        header: header(),
        ids: Ids {
            main: file_id("/main.typ"),
            prelude: file_id("/backbone.typ"),
            data: file_id("/data.json"),
            original: file_id("/original.pdf"),
            images: (0..MAX_IMAGES).map(|i| file_id(&format!("/img/{i}.png"))).collect(),
        },
    }
});

/// What one render needs.
pub struct Job<'a> {
    /// The template's markup.
    pub markup: &'a str,
    /// The data, as `/data.json` (see `backbone.typ` for its shape).
    pub data: &'a serde_json::Value,
    /// Drawn signatures as PNG bytes; `data` names them `/img/N.png` by
    /// their index here.
    pub images: &'a [Vec<u8>],
    /// An uploaded PDF whose pages the markup places (`/original.pdf`).
    pub original: Option<&'a [u8]>,
    /// What `datetime.today()` answers.
    pub today: NaiveDate,
}

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template's markup is wrong (or fails with this data).
    #[error("template line {line}: {message}")]
    Template {
        /// The line of the template's markup (1-based; 0 when unknown).
        line: usize,
        /// Typst's message.
        message: String,
    },
    /// More drawn signatures than [`MAX_IMAGES`].
    #[error("at most {MAX_IMAGES} drawn signatures per document")]
    TooManyImages,
}

/// Renders `job` to PDF bytes.
pub fn pdf(job: &Job<'_>) -> Result<Vec<u8>, RenderError> {
    if job.images.len() > MAX_IMAGES {
        return Err(RenderError::TooManyImages);
    }
    let engine = &*ENGINE;
    let world = JobWorld {
        engine,
        main: Source::new(engine.ids.main, format!("{}{}", engine.header, job.markup)),
        prelude: Source::new(engine.ids.prelude, PRELUDE.to_owned()),
        data: Bytes::new(serde_json::to_vec(job.data).unwrap_or_default()),
        images: job.images.iter().map(|i| Bytes::new(i.clone())).collect(),
        original: job.original.map(|o| Bytes::new(o.to_vec())),
        today: Datetime::from_ymd(job.today.year(), job.today.month() as u8, job.today.day() as u8),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Typst memoizes across compilations; drop what recent renders did not reuse.
    typst::comemo::evict(10);
    let document = compiled.map_err(|errors| first_error(&world, &errors))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| first_error(&world, &errors))
}

/// The first error, with its line in the template's own markup.
fn first_error(world: &JobWorld<'_>, errors: &[SourceDiagnostic]) -> RenderError {
    let Some(error) = errors.iter().find(|e| e.severity == Severity::Error).or(errors.first()) else {
        return RenderError::Template { line: 0, message: "the template did not render".into() };
    };
    let line = match error.span.id() {
        Some(id) if id == world.engine.ids.main => typst::WorldExt::range(world, error.span)
            .and_then(|range| world.main.lines().byte_to_line(range.start))
            .map_or(0, |line| line.max(1)),
        _ => 0,
    };
    let mut message = error.message.to_string();
    for hint in &error.hints {
        message.push_str(&format!(" (hint: {})", hint.v));
    }
    RenderError::Template { line, message }
}

/// The world of one render.
struct JobWorld<'a> {
    engine: &'a Engine,
    main: Source,
    prelude: Source,
    data: Bytes,
    images: Vec<Bytes>,
    original: Option<Bytes>,
    today: Option<Datetime>,
}

impl World for JobWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.engine.ids.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.engine.ids.main {
            Ok(self.main.clone())
        } else if id == self.engine.ids.prelude {
            Ok(self.prelude.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.engine.ids.data {
            return Ok(self.data.clone());
        }
        if id == self.engine.ids.original {
            return self.original.clone().ok_or(FileError::AccessDenied);
        }
        if id == self.engine.ids.main || id == self.engine.ids.prelude {
            return Ok(Bytes::from_string(self.source(id)?.text().to_owned()));
        }
        match self.engine.ids.images.iter().position(|i| *i == id) {
            Some(n) => self.images.get(n).cloned().ok_or(FileError::AccessDenied),
            None => Err(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
