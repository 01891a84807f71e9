//! An OpenAI-compatible HTTP server for tests: chat completions (plain and
//! streamed as server-sent events), embeddings and moderation, with
//! scripted failures (429, 500, slow answers). It records every request it
//! receives, so tests can assert what the provider saw — or that it saw
//! nothing.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

/// What the server does with the next chat request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answer with this HTTP status and an OpenAI error body.
    Status(u16),
    /// Wait this long, then answer normally.
    Delay(Duration),
}

#[derive(Default)]
struct Shared {
    requests: Vec<(String, Value)>,
    script: VecDeque<Behaviour>,
    delay: Option<Duration>,
    /// Reported as `usage.total_tokens` (completion = total - prompt)
    /// instead of the honest count.
    total_tokens: Option<u64>,
}

/// A running fake provider.
#[derive(Clone)]
pub struct FakeProvider {
    /// Base URL to configure as `ai.base_url` (ends in `/v1`).
    pub base_url: String,
    shared: Arc<Mutex<Shared>>,
}

impl FakeProvider {
    /// Starts on a random port.
    pub async fn start() -> anyhow::Result<Self> {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/embeddings", post(embeddings))
            .route("/v1/moderations", post(moderations))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base_url: format!("http://{addr}/v1"), shared })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues behaviours for the next chat requests, in order.
    pub fn script(&self, steps: impl IntoIterator<Item = Behaviour>) {
        self.lock().script.extend(steps);
    }

    /// Delays every chat answer (until set to `None`).
    pub fn always_delay(&self, delay: Option<Duration>) {
        self.lock().delay = delay;
    }

    /// Reports this many tokens used by every chat answer, whatever was
    /// asked (`None`: an honest count), like a provider that overruns
    /// `max_tokens` or counts differently.
    pub fn report_total_tokens(&self, total: Option<u64>) {
        self.lock().total_tokens = total;
    }

    /// Every request body received on `path` (e.g. `/v1/chat/completions`).
    pub fn received(&self, path: &str) -> Vec<Value> {
        self.lock().requests.iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }

    /// How many chat requests arrived.
    pub fn chats(&self) -> usize {
        self.received("/v1/chat/completions").len()
    }
}

type St = State<Arc<Mutex<Shared>>>;

fn record(s: &Arc<Mutex<Shared>>, path: &str, body: &Value) -> (Option<Behaviour>, Option<Duration>) {
    let mut g = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    g.requests.push((path.to_owned(), body.clone()));
    (g.script.pop_front(), g.delay)
}

fn reported_total(s: &Arc<Mutex<Shared>>) -> Option<u64> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).total_tokens
}

/// The answer text: the user message's first words, so tests can see what
/// the model was sent.
fn answer_for(body: &Value) -> String {
    let user = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    if user.contains("FLAGME") {
        return "This answer should be flagged FLAGME".into();
    }
    format!("You said: {}", user.chars().take(40).collect::<String>())
}

async fn chat(State(s): St, Json(body): Json<Value>) -> Response {
    let (step, delay) = record(&s, "/v1/chat/completions", &body);
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    match step {
        Some(Behaviour::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let error = json!({"error": {"message": format!("scripted {code}"), "type": "test", "param": null, "code": null}});
            return (status, Json(error)).into_response();
        }
        Some(Behaviour::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let text = answer_for(&body);
    let prompt_tokens = body["messages"].to_string().len() as u64 / 8;
    let completion_tokens = match reported_total(&s) {
        Some(total) => total.saturating_sub(prompt_tokens),
        None => text.split_whitespace().count() as u64,
    };
    let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens});
    let model = body["model"].clone();
    if body["stream"] == json!(true) {
        let mut sse = String::new();
        for word in text.split_inclusive(' ') {
            let chunk = json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": null}]});
            sse.push_str(&format!("data: {chunk}\n\n"));
        }
        let last = json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model,
            "choices": [], "usage": usage});
        sse.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));
        return ([("content-type", "text/event-stream")], sse).into_response();
    }
    Json(json!({
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": usage,
    }))
    .into_response()
}

async fn embeddings(State(s): St, Json(body): Json<Value>) -> Response {
    record(&s, "/v1/embeddings", &body);
    let text = body["input"].as_str().unwrap_or("").to_lowercase();
    // A tiny bag-of-letters embedding: deterministic and similarity-bearing.
    let mut v = vec![0f32; 26];
    for b in text.bytes().filter(u8::is_ascii_lowercase) {
        v[(b - b'a') as usize] += 1.0;
    }
    Json(json!({"object": "list", "model": body["model"], "data": [{"object": "embedding", "index": 0, "embedding": v}],
        "usage": {"prompt_tokens": 1, "total_tokens": 1}}))
    .into_response()
}

async fn moderations(State(s): St, Json(body): Json<Value>) -> Response {
    record(&s, "/v1/moderations", &body);
    let flagged = body["input"].as_str().unwrap_or("").contains("FLAGME");
    let names = [
        "hate",
        "hate/threatening",
        "harassment",
        "harassment/threatening",
        "illicit",
        "illicit/violent",
        "self-harm",
        "self-harm/intent",
        "self-harm/instructions",
        "sexual",
        "sexual/minors",
        "violence",
        "violence/graphic",
    ];
    let categories: serde_json::Map<String, Value> =
        names.iter().map(|n| ((*n).to_owned(), json!(flagged && *n == "violence"))).collect();
    let scores: serde_json::Map<String, Value> =
        names.iter().map(|n| ((*n).to_owned(), json!(0.0))).collect();
    let applied: serde_json::Map<String, Value> =
        names.iter().map(|n| ((*n).to_owned(), json!(["text"]))).collect();
    Json(json!({"id": "modr-test", "model": "omni-moderation-latest", "results": [{
        "flagged": flagged, "categories": categories, "category_scores": scores, "category_applied_input_types": applied,
    }]}))
    .into_response()
}
