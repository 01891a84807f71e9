//! Card payments through a processor that speaks Stripe's HTTP API (the
//! testkit's stand-in, on a random port): a finalized invoice charged to
//! the customer's saved card once, even when the processor's answer is
//! lost and the operator charges again; a declined card refused with its
//! reason, the next attempt a new one; a refund given back through the
//! processor; the sweep collecting what it finalizes; and every refusal
//! coded.

use chrono::{Duration, Utc};
use secrecy::SecretString;
use serde_json::{Value, json};
use subgraph_billing::domain::{
    collection,
    processor::{CardProcessor, Stripe},
    renewal, subscriptions,
};
use subgraph_kit::testkit::{
    card::{FakeCardProcessor, Script},
    data, error_codes,
};

use crate::fixture::{Billed, GRACE, TERMS, nov};

const SECRET: &str = "sk_test_backbone";

async fn with_card(fake: &FakeCardProcessor) -> Billed {
    let base = fake.base_url.clone();
    Billed::start_with(move |b| {
        b.card.api_base = base;
        b.card.secret_key = Some(SecretString::from(SECRET));
    })
    .await
}

/// A monthly `currency` plan with `fee`, subscribed on November 1 and
/// its November invoice finalized; returns the invoice's id.
async fn finalized(b: &Billed, tenant: uuid::Uuid, code: &str, currency: &str, fee: &str) -> String {
    b.plan(
        code,
        json!({"name": code, "interval": "MONTHLY", "currency": currency, "fee": fee, "trialDays": 0, "charges": []}),
    )
    .await;
    let db = &b.app.kit.db;
    subscriptions::subscribe(db, tenant, None, code, nov(1, 0)).await.expect("subscribe");
    let dec1 = nov(30, 0) + Duration::days(1);
    renewal::renew_due(db, dec1, GRACE).await.expect("renew");
    let id = b.invoices(&b.operator, Some(tenant), "id").await[0]["id"].as_str().expect("id").to_owned();
    let q = "mutation($id: ID!) { finalizeInvoice(id: $id) { status } }";
    data(b.gql(&b.operator, q, json!({"id": id})).await);
    id
}

async fn save_card(b: &Billed, tenant: uuid::Uuid, method: &str) -> Value {
    let q = "mutation($t: ID!, $i: BillingProfileInput!) { setBillingProfile(tenantId: $t, input: $i) { cardCustomer cardPaymentMethod } }";
    b.gql(
        &b.operator,
        q,
        json!({"t": tenant, "i": {"cardCustomer": "cus_clinic", "cardPaymentMethod": method}}),
    )
    .await
}

async fn charge(b: &Billed, token: &str, invoice: &str) -> Value {
    let q = "mutation($id: ID!) { chargeInvoice(id: $id) { id method amount reference } }";
    b.gql(token, q, json!({"id": invoice})).await
}

async fn status(b: &Billed, invoice: &str) -> Value {
    let q = "query($id: ID!) { invoice(id: $id) { status amountDue } }";
    data(b.gql(&b.operator, q, json!({"id": invoice})).await)["invoice"].clone()
}

fn reason(r: &Value) -> &str {
    r["errors"][0]["extensions"]["reason"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn an_invoice_is_charged_to_the_saved_card_once_even_when_the_answer_is_lost_and_refunded_through_it() {
    let fake = FakeCardProcessor::start(SECRET).await.expect("processor");
    let b = with_card(&fake).await;
    let invoice = finalized(&b, b.tenant, "clinic", "EUR", "49.99").await;

    assert_eq!(reason(&charge(&b, &b.operator, &invoice).await), "NO_CARD");
    let q = "mutation($t: ID!) { setBillingProfile(tenantId: $t, input: {cardCustomer: \"cus_clinic\"}) { cardCustomer } }";
    let half = b.gql(&b.operator, q, json!({"t": b.tenant})).await;
    assert_eq!(error_codes(&half), ["BAD_USER_INPUT"], "a customer without a payment method");
    let bad = save_card(&b, b.tenant, "pm_1; DROP TABLE").await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
    data(save_card(&b, b.tenant, "pm_card_visa").await);
    assert_eq!(error_codes(&charge(&b, &b.admin, &invoice).await), ["FORBIDDEN"], "the operator's to do");

    // The processor takes the money but its answer is lost.
    fake.script(Script::LoseAnswer);
    let lost = charge(&b, &b.operator, &invoice).await;
    assert_eq!(error_codes(&lost), ["SUBGRAPH_UNAVAILABLE"], "{lost}");
    assert_eq!(status(&b, &invoice).await["status"], "FINALIZED");
    assert_eq!(fake.charges().len(), 1);

    // Charging again sends the same attempt: the first charge is found, not repeated.
    let paid = data(charge(&b, &b.operator, &invoice).await)["chargeInvoice"].clone();
    assert_eq!((paid["method"].as_str(), paid["amount"].as_str()), (Some("CARD"), Some("49.99")));
    let charges = fake.charges();
    assert_eq!(charges.len(), 1, "one charge: {charges:?}");
    assert_eq!(paid["reference"], charges[0]["id"]);
    assert_eq!(status(&b, &invoice).await, json!({"status": "PAID", "amountDue": "0.00"}));
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.authorized && s.path == "/v1/payment_intents"));
    assert_eq!(seen[0].idempotency_key, seen[1].idempotency_key);
    let form = &seen[1].form;
    for (field, value) in [
        ("amount", "4999"),
        ("currency", "eur"),
        ("customer", "cus_clinic"),
        ("payment_method", "pm_card_visa"),
        ("confirm", "true"),
        ("off_session", "true"),
        ("metadata[invoice_id]", invoice.as_str()),
    ] {
        assert_eq!(form.get(field).map(String::as_str), Some(value), "{field} in {form:?}");
    }
    assert_eq!(
        reason(&charge(&b, &b.operator, &invoice).await),
        "INVOICE_STATE",
        "paid: nothing more to charge"
    );

    // A refund goes back through the processor, then is recorded.
    let q = "mutation($p: ID!) { refundPayment(paymentId: $p, amount: \"10.00\", reason: \"goodwill\") { amount method reference } }";
    let refund = data(b.gql(&b.operator, q, json!({"p": paid["id"]})).await)["refundPayment"].clone();
    assert_eq!((refund["amount"].as_str(), refund["method"].as_str()), (Some("10.00"), Some("CARD")));
    assert!(refund["reference"].as_str().is_some_and(|r| r.starts_with("goodwill (re_")), "{refund}");
    let sent = fake.seen().into_iter().find(|s| s.path == "/v1/refunds").expect("refund sent");
    assert_eq!(sent.form.get("payment_intent"), charges[0]["id"].as_str().map(str::to_owned).as_ref());
    assert_eq!(sent.form.get("amount").map(String::as_str), Some("1000"));
    assert_eq!(status(&b, &invoice).await, json!({"status": "FINALIZED", "amountDue": "10.00"}));
    // The rest refunded too, the invoice owes all of it again: charging it
    // is a new charge, never the first one found again by its key.
    let q = "mutation($p: ID!) { refundPayment(paymentId: $p, reason: \"cancelled\") { amount } }";
    let rest = data(b.gql(&b.operator, q, json!({"p": paid["id"]})).await)["refundPayment"].clone();
    assert_eq!(rest["amount"], "39.99");
    assert_eq!(status(&b, &invoice).await, json!({"status": "FINALIZED", "amountDue": "49.99"}));
    let again = data(charge(&b, &b.operator, &invoice).await)["chargeInvoice"].clone();
    let charges = fake.charges();
    assert_eq!(charges.len(), 2, "a second charge: {charges:?}");
    assert_eq!(again["reference"], charges[1]["id"]);
    assert_eq!(status(&b, &invoice).await["status"], "PAID");
    let q = "mutation($id: ID!) { recordPayment(invoiceId: $id, method: CARD, reference: \"pi_x\") { id } }";
    let by_hand = b.gql(&b.operator, q, json!({"id": invoice})).await;
    assert_eq!(error_codes(&by_hand), ["BAD_USER_INPUT"], "a card payment is not recorded by hand");
}

#[tokio::test]
async fn a_declined_card_is_refused_with_its_reason_and_the_next_attempt_is_a_new_one() {
    let fake = FakeCardProcessor::start(SECRET).await.expect("processor");
    let b = with_card(&fake).await;
    let invoice = finalized(&b, b.tenant, "clinic", "EUR", "49.99").await;
    data(save_card(&b, b.tenant, "pm_card_chargeDeclinedInsufficientFunds").await);
    let declined = charge(&b, &b.operator, &invoice).await;
    assert_eq!((error_codes(&declined), reason(&declined)), (vec!["CONFLICT".to_owned()], "CARD_DECLINED"));
    let message = declined["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("insufficient_funds"), "{message}");
    assert!(fake.charges().is_empty());
    assert_eq!(status(&b, &invoice).await["status"], "FINALIZED");

    // A new card: a new attempt (a new key), which the processor makes.
    data(save_card(&b, b.tenant, "pm_card_visa").await);
    data(charge(&b, &b.operator, &invoice).await);
    let seen = fake.seen();
    assert_ne!(seen[0].idempotency_key, seen[1].idempotency_key);
    assert_eq!(fake.charges().len(), 1);
    assert_eq!(status(&b, &invoice).await["status"], "PAID");
}

#[tokio::test]
async fn the_sweep_collects_what_it_finalizes_from_saved_cards_and_charges_need_a_processor() {
    let fake = FakeCardProcessor::start(SECRET).await.expect("processor");
    let b = with_card(&fake).await;
    let eur = finalized(&b, b.tenant, "clinic", "EUR", "49.99").await;
    let jpy = finalized(&b, b.other_tenant, "clinic_jp", "JPY", "3000").await;
    data(save_card(&b, b.tenant, "pm_card_visa").await);
    let db = &b.app.kit.db;
    let since = Utc::now() - TERMS;
    let wrong =
        Stripe::new(&fake.base_url, SecretString::from("sk_wrong"), std::time::Duration::from_secs(5));
    let refused =
        collection::charge_invoice(db, &wrong, eur.parse().expect("id"), None, Duration::days(30)).await;
    assert!(matches!(refused, Err(subgraph_kit::ApiError::Because { reason: "CARD_PROCESSOR_REFUSED", .. })));

    let stripe = Stripe::new(&fake.base_url, SecretString::from(SECRET), std::time::Duration::from_secs(5));
    let processor: &dyn CardProcessor = &stripe;
    assert_eq!(collection::collect_due(db, processor, since, Duration::days(30)).await.expect("collect"), 1);
    assert_eq!(status(&b, &eur).await["status"], "PAID");
    assert_eq!(status(&b, &jpy).await["status"], "FINALIZED", "no card saved: left to dunning");

    // JPY has no minor unit: the processor is sent yen.
    data(save_card(&b, b.other_tenant, "pm_card_visa").await);
    assert_eq!(collection::collect_due(db, processor, since, Duration::days(30)).await.expect("collect"), 1);
    let sent = fake.seen().into_iter().rfind(|s| s.authorized).expect("charge");
    assert_eq!((sent.form["amount"].as_str(), sent.form["currency"].as_str()), ("3000", "jpy"));
    assert_eq!(collection::collect_due(db, processor, since, Duration::days(30)).await.expect("collect"), 0);

    // Without a processor configured, a charge is refused with its reason.
    let plain = Billed::start().await;
    let invoice = finalized(&plain, plain.tenant, "clinic", "EUR", "49.99").await;
    assert_eq!(reason(&charge(&plain, &plain.operator, &invoice).await), "NO_CARD_PROCESSOR");
}
