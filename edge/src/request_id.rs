//! `x-request-id` on every request and answer, at the router and each
//! subgraph. The id a caller sent is kept when it is sane (1 to 128 of
//! `A-Z a-z 0-9 - _ . :`), so a support ticket, a log line and a trace can
//! be matched; anything else, or none, is replaced by a fresh UUID v7.
//! The router forwards it to every subgraph it calls.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use backbone_schema::headers::REQUEST_ID;

/// Longest id kept from a caller.
pub const MAX_LEN: usize = 128;

/// Middleware (`axum::middleware::from_fn(request_id::layer)`): sets the
/// request's id before anything reads it, and answers with it. The router
/// uses it: a trace starts here, whatever `traceparent` a client sends.
pub async fn layer(req: Request, next: Next) -> Response {
    around(req, next, false).await
}

/// [`layer`] for a subgraph: the request's span also continues the trace
/// its caller (the router) sent in `traceparent`.
pub async fn layer_continuing_trace(req: Request, next: Next) -> Response {
    around(req, next, true).await
}

async fn around(mut req: Request, next: Next, continue_trace: bool) -> Response {
    let name = HeaderName::from_static(REQUEST_ID);
    let id = match req.headers().get(&name) {
        Some(v) if sane(v.as_bytes()) => v.clone(),
        _ => fresh(),
    };
    req.headers_mut().insert(name.clone(), id.clone());
    let shown = id.to_str().unwrap_or("-");
    let traced = if continue_trace {
        crate::traces::sampled_upstream(req.headers())
    } else {
        crate::traces::sample_here()
    };
    let dispatch = crate::traces::dispatch().filter(|_| traced);
    let span = {
        let (method, path) = (req.method(), req.uri().path());
        let make = || tracing::info_span!("request", %method, %path, request_id = %shown);
        match dispatch {
            Some(dispatch) => tracing::dispatcher::with_default(dispatch, make),
            None => make(),
        }
    };
    use tracing::{Instrument, instrument::WithSubscriber};
    let mut res = match dispatch {
        Some(dispatch) => {
            if continue_trace {
                crate::traces::continue_from(&span, req.headers());
            }
            crate::traces::traced(next.run(req).instrument(span).with_subscriber(dispatch.clone())).await
        }
        None => next.run(req).instrument(span).await,
    };
    res.headers_mut().insert(name, id);
    res
}

fn sane(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn fresh() -> HeaderValue {
    HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

#[cfg(test)]
mod tests {
    use super::sane;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(sane(b"support-4711.b"));
        assert!(sane(b"0190c3a0-7d1e-7c4e-9a53-3c1f0f6a2b11"));
        assert!(!sane(b""));
        assert!(!sane(&[b'x'; 129]));
        assert!(!sane(b"a b"));
        assert!(!sane(b"{\"json\":1}"));
    }
}
