//! The fonts shipped with the crate (`fonts/`), parsed once. Typst sees
//! these and nothing else: no system fonts, no downloads, so a document
//! renders the same on every machine.

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};

/// The font files, embedded at build time.
const FILES: &[&[u8]] = &[
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansDevanagari-Bold.ttf"),
    include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoNaskhArabic-Bold.ttf"),
    include_bytes!("../../fonts/DroidSansFallbackFull.ttf"),
];

/// The families a template's text falls back through, in order: Latin,
/// Devanagari, Arabic, then Chinese, Japanese and Korean.
pub const FALLBACK: &[&str] =
    &["Noto Sans", "Noto Sans Devanagari", "Noto Naskh Arabic", "Droid Sans Fallback"];

/// Every face of every shipped file.
pub fn load() -> (FontBook, Vec<Font>) {
    let fonts: Vec<Font> = FILES.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
    let book = FontBook::from_fonts(&fonts);
    (book, fonts)
}
