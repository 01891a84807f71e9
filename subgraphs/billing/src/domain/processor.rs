//! Card processors behind one interface. Billing charges a customer's
//! saved card (the processor's customer and payment method, set on the
//! billing profile: card numbers never reach the platform) and refunds it;
//! [`Stripe`] speaks Stripe's HTTP API (PaymentIntents confirmed
//! off-session, Refunds), form-encoded with the secret key as a bearer
//! token. Every call carries an idempotency key, so a retry after a lost
//! answer finds the first charge instead of making a second.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// A charge to make.
#[derive(Debug, Clone)]
pub struct CardCharge<'a> {
    /// Minor units of `currency`.
    pub amount: i64,
    /// ISO 4217, upper case.
    pub currency: &'a str,
    /// The processor's customer.
    pub customer: &'a str,
    /// The customer's saved payment method.
    pub payment_method: &'a str,
    /// What the statement says.
    pub description: &'a str,
    /// The invoice it pays (kept with the charge at the processor).
    pub invoice_id: uuid::Uuid,
    /// The same key for the same attempt, however often it is sent.
    pub idempotency_key: &'a str,
}

/// How a call to the processor went, short of success.
#[derive(Debug, thiserror::Error)]
pub enum ProcessorError {
    /// The card was refused; the code is the processor's (`card_declined`,
    /// `insufficient_funds`, …).
    #[error("the card was declined ({code}): {message}")]
    Declined {
        /// The processor's decline code.
        code: String,
        /// Its message, safe to show.
        message: String,
    },
    /// The processor refused the request itself (bad key, unknown
    /// payment method, amount too large).
    #[error("the card processor refused the request: {0}")]
    Refused(String),
    /// No answer, or a 5xx: the outcome is unknown until the same
    /// idempotency key is sent again.
    #[error("the card processor did not answer: {0}")]
    Unavailable(String),
}

/// A card processor.
#[async_trait]
pub trait CardProcessor: Send + Sync {
    /// Takes the money; returns the processor's reference for the charge.
    async fn charge(&self, c: &CardCharge<'_>) -> Result<String, ProcessorError>;
    /// Gives back `amount` minor units of charge `reference`; returns the
    /// refund's reference.
    async fn refund(
        &self,
        reference: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<String, ProcessorError>;
}

/// Stripe, or anything that speaks its API at `api_base`.
pub struct Stripe {
    api_base: String,
    secret: SecretString,
    http: reqwest::Client,
}

impl Stripe {
    /// A client for `api_base` (`https://api.stripe.com`) with `secret`,
    /// giving up after `timeout`.
    pub fn new(api_base: &str, secret: SecretString, timeout: Duration) -> Self {
        let http = subgraph_kit::auth::http_client_builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { api_base: api_base.trim_end_matches('/').to_owned(), secret, http }
    }

    async fn post(&self, path: &str, form: &[(&str, String)], key: &str) -> Result<Value, ProcessorError> {
        let body = serde_urlencoded::to_string(form).map_err(|e| ProcessorError::Refused(e.to_string()))?;
        let answer = self
            .http
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(self.secret.expose_secret())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("idempotency-key", key)
            .body(body)
            .send()
            .await
            .map_err(|e| ProcessorError::Unavailable(e.without_url().to_string()))?;
        let status = answer.status();
        let body: Value = answer.json().await.map_err(|e| ProcessorError::Unavailable(e.to_string()))?;
        if status.is_success() {
            return Ok(body);
        }
        let error = &body["error"];
        let message = error["message"].as_str().unwrap_or("no message").to_owned();
        if status.is_server_error() {
            return Err(ProcessorError::Unavailable(format!("{status}: {message}")));
        }
        if error["type"] == "card_error" {
            let code = error["decline_code"].as_str().or(error["code"].as_str()).unwrap_or("card_declined");
            return Err(ProcessorError::Declined { code: code.to_owned(), message });
        }
        Err(ProcessorError::Refused(format!("{status}: {message}")))
    }
}

#[async_trait]
impl CardProcessor for Stripe {
    async fn charge(&self, c: &CardCharge<'_>) -> Result<String, ProcessorError> {
        let form = [
            ("amount", c.amount.to_string()),
            ("currency", c.currency.to_ascii_lowercase()),
            ("customer", c.customer.to_owned()),
            ("payment_method", c.payment_method.to_owned()),
            ("confirm", "true".to_owned()),
            ("off_session", "true".to_owned()),
            ("description", c.description.to_owned()),
            ("metadata[invoice_id]", c.invoice_id.to_string()),
        ];
        let intent = self.post("/v1/payment_intents", &form, c.idempotency_key).await?;
        match (intent["status"].as_str(), intent["id"].as_str()) {
            (Some("succeeded"), Some(id)) => Ok(id.to_owned()),
            (status, _) => Err(ProcessorError::Declined {
                code: status.unwrap_or("unknown").to_owned(),
                message: "the payment did not complete at once".into(),
            }),
        }
    }

    async fn refund(
        &self,
        reference: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<String, ProcessorError> {
        let form = [("payment_intent", reference.to_owned()), ("amount", amount.to_string())];
        let refund = self.post("/v1/refunds", &form, idempotency_key).await?;
        refund["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ProcessorError::Refused("the refund has no id".into()))
    }
}
