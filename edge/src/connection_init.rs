//! Credentials a WebSocket client sends in `connection_init`, read as the
//! request headers an HTTP call would carry.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Credentials in a `connection_init` payload, as request headers.
pub fn headers_from(payload: &serde_json::Value) -> Option<HeaderMap> {
    let object = payload.as_object()?;
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    for (key, value) in object {
        let Some(value) = value.as_str() else { continue };
        match key.to_ascii_lowercase().as_str() {
            "authorization" => put("authorization", value),
            "x-api-key" => put("x-api-key", value),
            "token" => put("authorization", &format!("Bearer {value}")),
            _ => {}
        }
    }
    (!headers.is_empty()).then_some(headers)
}
