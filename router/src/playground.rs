//! The playground: GraphiQL 5 built from `playground/` into static files
//! that are compiled into the binary, served at `/` (the page) and
//! `/playground/…` (its scripts, styles and editor workers) under a
//! Content-Security-Policy that lets the page reach nothing but this
//! origin. Off unless `router.playground` (on by default in dev mode).

use std::sync::{Arc, OnceLock};

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rust_embed::RustEmbed;

/// The built bundle (`npm run build` in `playground/`).
#[derive(RustEmbed)]
#[folder = "../playground/dist"]
struct Bundle;

/// Same origin only. Monaco writes style attributes and `<style>` tags at
/// run time, hence `'unsafe-inline'` for styles (never for scripts); its
/// workers are files of this origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page's settings, and the token dev mode pre-fills.
#[derive(Debug, Default)]
pub struct Playground {
    demo_token: OnceLock<String>,
}

impl Playground {
    /// Pre-fills new tabs' `Authorization` header with `token` (dev mode's
    /// demo admin). Set once; later calls are ignored.
    pub fn set_demo_token(&self, token: String) {
        let _ = self.demo_token.set(token);
    }

    /// The page, with its settings in the `backbone-playground` meta tag.
    pub fn page(&self) -> Response {
        let Some(file) = Bundle::get("index.html") else {
            return (StatusCode::NOT_FOUND, "the playground bundle is missing").into_response();
        };
        let mut settings = serde_json::json!({ "endpoint": "/graphql" });
        if let Some(token) = self.demo_token.get() {
            settings["demoToken"] = token.clone().into();
        }
        let html = String::from_utf8_lossy(&file.data)
            .replace(r#"content="{}""#, &format!(r#"content="{}""#, attribute(&settings.to_string())));
        with_headers(html.into_response(), "text/html; charset=utf-8", "no-store")
    }
}

/// `/` and `/playground/{*file}` over `playground`.
pub fn routes(playground: Arc<Playground>) -> Router {
    Router::new()
        .route("/", get(|State(p): State<Arc<Playground>>| async move { p.page() }))
        .route("/playground/{*file}", get(asset))
        .with_state(playground)
}

async fn asset(Path(file): Path<String>) -> Response {
    if file == "index.html" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(found) = Bundle::get(&file) else {
        return (StatusCode::NOT_FOUND, "no such playground file").into_response();
    };
    // Vite names assets by their content's hash, so they never change.
    with_headers(
        found.data.into_owned().into_response(),
        found.metadata.mimetype(),
        "public, max-age=31536000, immutable",
    )
}

fn with_headers(mut response: Response, content_type: &str, cache: &'static str) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `value` escaped for a double-quoted HTML attribute.
fn attribute(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_embedded_with_its_page_and_workers() {
        assert!(Bundle::get("index.html").is_some());
        let files: Vec<_> = Bundle::iter().collect();
        assert!(files.iter().any(|f| f.contains("graphql.worker")), "{files:?}");
        assert!(files.iter().all(|f| !f.ends_with(".map")), "no source maps: {files:?}");
    }

    #[test]
    fn settings_cannot_break_out_of_the_attribute() {
        assert_eq!(attribute(r#"{"a":"<x>&"}"#), "{&quot;a&quot;:&quot;&lt;x&gt;&amp;&quot;}");
    }
}
