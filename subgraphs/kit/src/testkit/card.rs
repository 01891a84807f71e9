//! A card processor for tests that speaks the part of Stripe's HTTP API
//! billing uses: `POST /v1/payment_intents` (confirmed off-session with a
//! saved payment method) and `POST /v1/refunds`, form-encoded, with the
//! secret key as a bearer token and `Idempotency-Key` (a repeated key gets
//! the first answer again and charges nothing more). Stripe's test payment
//! methods decide the outcome: `pm_card_visa` succeeds,
//! `pm_card_chargeDeclined` is declined (`card_declined`), and
//! `pm_card_chargeDeclinedInsufficientFunds` too, with the decline code
//! `insufficient_funds`. A scripted failure answers 500 after the charge
//! is made (a lost answer). It records every
//! request, so tests assert what the processor saw.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

/// What the processor does with the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Do it (and remember it under its idempotency key), then answer 500.
    LoseAnswer,
}

/// A request as the processor received it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `/v1/payment_intents` or `/v1/refunds`.
    pub path: String,
    /// The form fields.
    pub form: BTreeMap<String, String>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// Whether it carried the right secret key.
    pub authorized: bool,
}

#[derive(Default)]
struct Shared {
    secret: String,
    seen: Vec<Seen>,
    script: VecDeque<Script>,
    answers: HashMap<String, (u16, Value)>,
    intents: BTreeMap<String, Value>,
    refunded: HashMap<String, i64>,
    next: u64,
}

/// A running stand-in processor.
#[derive(Clone)]
pub struct FakeCardProcessor {
    /// To configure as `billing.card.api_base`.
    pub base_url: String,
    shared: Arc<Mutex<Shared>>,
}

impl FakeCardProcessor {
    /// Starts on a random port, accepting `secret` as its API key.
    pub async fn start(secret: &str) -> anyhow::Result<Self> {
        let shared = Arc::new(Mutex::new(Shared { secret: secret.to_owned(), ..Shared::default() }));
        let app = Router::new()
            .route("/v1/payment_intents", post(payment_intent))
            .route("/v1/refunds", post(refund))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base_url: format!("http://{addr}"), shared })
    }

    /// Every request received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().map(|s| s.seen.clone()).unwrap_or_default()
    }

    /// The payment intents that succeeded (money taken), in order made.
    pub fn charges(&self) -> Vec<Value> {
        let s = self.shared.lock().expect("lock");
        s.intents.values().filter(|p| p["status"] == "succeeded").cloned().collect()
    }

    /// Queues what the next request meets.
    pub fn script(&self, step: Script) {
        if let Ok(mut s) = self.shared.lock() {
            s.script.push_back(step);
        }
    }
}

fn error(status: StatusCode, kind: &str, code: &str, message: &str) -> (u16, Value) {
    (status.as_u16(), json!({"error": {"type": kind, "code": code, "message": message}}))
}

/// Records the request, checks the key, runs the script and replays a
/// repeated idempotency key; `handle` makes a new answer.
fn serve(
    shared: &Mutex<Shared>,
    path: &str,
    headers: &HeaderMap,
    form: Vec<(String, String)>,
    handle: impl FnOnce(&mut Shared, &BTreeMap<String, String>) -> (u16, Value),
) -> Response {
    let Ok(mut s) = shared.lock() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let form: BTreeMap<String, String> = form.into_iter().collect();
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let authorized = auth == format!("Bearer {}", s.secret);
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    s.seen.push(Seen { path: path.to_owned(), form: form.clone(), idempotency_key: key.clone(), authorized });
    let (status, body) = if !authorized {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "api_key_invalid",
            "Invalid API Key provided",
        )
    } else {
        let step = s.script.pop_front();
        let replay = key.as_ref().and_then(|k| s.answers.get(k).cloned());
        let answer = replay.unwrap_or_else(|| {
            let a = handle(&mut s, &form);
            if let Some(k) = &key {
                s.answers.insert(k.clone(), a.clone());
            }
            a
        });
        if step == Some(Script::LoseAnswer) {
            error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", "", "An unknown error occurred")
        } else {
            answer
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

async fn payment_intent(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    serve(&shared, "/v1/payment_intents", &headers, form, |s, f| {
        let amount = f.get("amount").and_then(|a| a.parse::<i64>().ok()).filter(|a| *a > 0);
        let currency =
            f.get("currency").filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()));
        let (Some(amount), Some(currency), Some(method)) = (amount, currency, f.get("payment_method")) else {
            let msg = "amount (a positive integer), currency and payment_method are required";
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", "parameter_missing", msg);
        };
        if f.get("confirm").map(String::as_str) != Some("true") {
            let msg = "this stand-in only confirms at once";
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", "parameter_invalid", msg);
        }
        let decline = match method.as_str() {
            "pm_card_visa" => None,
            "pm_card_chargeDeclined" => Some("generic_decline"),
            "pm_card_chargeDeclinedInsufficientFunds" => Some("insufficient_funds"),
            _ => {
                let msg = format!("No such PaymentMethod: '{method}'");
                return error(StatusCode::BAD_REQUEST, "invalid_request_error", "resource_missing", &msg);
            }
        };
        s.next += 1;
        let id = format!("pi_{:06}", s.next);
        let status = if decline.is_some() { "requires_payment_method" } else { "succeeded" };
        let intent = json!({"id": id, "object": "payment_intent", "amount": amount, "currency": currency,
            "customer": f.get("customer"), "payment_method": method, "status": status,
            "description": f.get("description"), "metadata": {"invoice_id": f.get("metadata[invoice_id]")}});
        s.intents.insert(id.clone(), intent.clone());
        match decline {
            None => (200, intent),
            Some(code) => (
                402,
                json!({"error": {"type": "card_error", "code": "card_declined", "decline_code": code,
                    "message": "Your card was declined.", "payment_intent": intent}}),
            ),
        }
    })
}

async fn refund(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    serve(&shared, "/v1/refunds", &headers, form, |s, f| {
        let Some(intent) = f.get("payment_intent").and_then(|id| s.intents.get(id)).cloned() else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "resource_missing",
                "No such payment_intent",
            );
        };
        if intent["status"] != "succeeded" {
            let msg = "This PaymentIntent does not have a successful charge to refund.";
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", "charge_not_refundable", msg);
        }
        let id = intent["id"].as_str().unwrap_or_default().to_owned();
        let left =
            intent["amount"].as_i64().unwrap_or_default() - s.refunded.get(&id).copied().unwrap_or_default();
        let amount = match f.get("amount").map(|a| a.parse::<i64>()) {
            None => left,
            Some(Ok(a)) if a > 0 && a <= left => a,
            Some(_) => {
                let msg = format!("Refund amount is greater than the {left} left to refund.");
                return error(StatusCode::BAD_REQUEST, "invalid_request_error", "amount_too_large", &msg);
            }
        };
        *s.refunded.entry(id.clone()).or_default() += amount;
        s.next += 1;
        (
            200,
            json!({"id": format!("re_{:06}", s.next), "object": "refund", "amount": amount,
            "payment_intent": id, "status": "succeeded"}),
        )
    })
}
