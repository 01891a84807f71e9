//! Payments and dunning: payments and refunds against finalized invoices
//! (part, then the rest: paid; a refund makes it owe again); an invoice
//! still owing after its due date is overdue and its tenant's admins are
//! told once; still owing 30 days past due, the subscription's
//! entitlements are withdrawn until it is paid, then they come back.

use backbone_entities::platform::outbox;
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use subgraph_billing::domain::{dunning, finalization, renewal, subscriptions};
use subgraph_kit::testkit::{data, error_codes};

use crate::fixture::{Billed, GRACE, TERMS, nov};

const FIELDS: &str = "id number status total paid amountDue dueAt overdueAt";

async fn op(b: &Billed, q: &str, vars: Value) -> Value {
    b.gql(&b.operator, q, vars).await
}

/// The entitlements the tenant's last `billing.entitlements_changed` grants.
async fn granted(b: &Billed) -> (String, Value) {
    let last = outbox::Entity::find()
        .filter(outbox::Column::TenantId.eq(b.tenant))
        .filter(outbox::Column::EventType.eq("billing.entitlements_changed"))
        .order_by_desc(outbox::Column::Id)
        .one(&b.app.kit.db)
        .await
        .expect("outbox")
        .expect("an entitlements event");
    let payload: Value = serde_json::from_str(&last.payload).expect("json");
    (payload["status"].as_str().expect("status").to_owned(), payload["entitlements"].clone())
}

#[tokio::test]
async fn payments_settle_invoices_and_an_unpaid_one_suspends_the_plan_until_paid() {
    let b = Billed::start().await;
    let plan = json!({"name": "Clinic", "interval": "MONTHLY", "currency": "EUR", "fee": "100",
        "entitlements": [{"key": "ai.tokens_per_month", "limit": "50000"}]});
    b.plan("clinic", plan).await;
    let db = &b.app.kit.db;
    subscriptions::subscribe(db, b.tenant, None, "clinic", nov(1, 0)).await.expect("subscribe");
    let dec1 = nov(30, 0) + Duration::days(1);
    renewal::renew_due(db, dec1, GRACE).await.expect("renew");
    let draft = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    let pay = "mutation($id: ID!, $a: String) { recordPayment(invoiceId: $id, amount: $a, method: BANK_TRANSFER, reference: \"SEPA 42\") { id amount refund invoiceNumber } }";
    let early = op(&b, pay, json!({"id": draft["id"], "a": "10"})).await;
    assert_eq!(early["errors"][0]["extensions"]["reason"], "INVOICE_STATE", "a draft is not paid yet");
    finalization::finalize_due(db, dec1 + GRACE, TERMS).await.expect("finalize");
    let invoice = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    assert_eq!(invoice["status"], "FINALIZED");
    assert!(invoice["dueAt"].is_string(), "due 14 days after finalization");

    // Part now, then the rest: paid. More than is owed is refused.
    let part = data(op(&b, pay, json!({"id": invoice["id"], "a": "40"})).await)["recordPayment"].clone();
    assert_eq!((part["amount"].as_str(), part["refund"].as_bool()), (Some("40.00"), Some(false)));
    assert_eq!(
        error_codes(&op(&b, pay, json!({"id": invoice["id"], "a": "60.01"})).await),
        ["BAD_USER_INPUT"]
    );
    let denied = b.gql(&b.admin, pay, json!({"id": invoice["id"], "a": "60"})).await;
    assert_eq!(error_codes(&denied), ["FORBIDDEN"], "a tenant does not record its own payments");
    data(op(&b, pay, json!({"id": invoice["id"]})).await);
    let paid = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    assert_eq!(
        (paid["status"].as_str(), paid["paid"].as_str(), paid["amountDue"].as_str()),
        (Some("PAID"), Some("100.00"), Some("0.00"))
    );

    // A refund of part of the first payment: owing 15 again.
    let refund = "mutation($id: ID!, $a: String) { refundPayment(paymentId: $id, amount: $a, reason: \"Overcharged seats\") { amount refund } }";
    let r = data(op(&b, refund, json!({"id": part["id"], "a": "15"})).await);
    assert_eq!(r["refundPayment"], json!({"amount": "15.00", "refund": true}));
    assert_eq!(
        error_codes(&op(&b, refund, json!({"id": part["id"], "a": "25.01"})).await),
        ["BAD_USER_INPUT"],
        "25 left of 40"
    );
    let owing = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    assert_eq!((owing["status"].as_str(), owing["amountDue"].as_str()), (Some("FINALIZED"), Some("15.00")));

    // Dunning: overdue after the due date (noticed once), suspended 30 days later.
    let due: chrono::DateTime<chrono::Utc> = serde_json::from_value(owing["dueAt"].clone()).expect("due");
    let after = Duration::days(30);
    assert_eq!(dunning::run(db, due - Duration::hours(1), after).await.expect("dunning"), (0, 0));
    assert_eq!(dunning::run(db, due + Duration::hours(1), after).await.expect("dunning"), (1, 0));
    assert_eq!(
        dunning::run(db, due + Duration::hours(2), after).await.expect("dunning"),
        (0, 0),
        "told once"
    );
    let told = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("invoice.overdue"))
        .all(db)
        .await
        .expect("outbox");
    assert_eq!(told.len(), 1);
    let payload: Value = serde_json::from_str(&told[0].payload).expect("json");
    assert_eq!(payload["amountDue"], "15.00");
    assert_eq!(payload["recipientIds"].as_array().map(Vec::len), Some(1), "the tenant's admin");
    assert_eq!(granted(&b).await.0, "active");
    assert_eq!(dunning::run(db, due + Duration::days(31), after).await.expect("dunning"), (0, 1));
    assert_eq!(granted(&b).await, ("suspended".to_owned(), json!([])), "the plan's grants withdrawn");

    // Paid: the grants come back.
    data(op(&b, pay, json!({"id": owing["id"]})).await);
    let (status, grants) = granted(&b).await;
    assert_eq!((status.as_str(), grants[0]["key"].as_str()), ("active", Some("ai.tokens_per_month")));
    assert_eq!(dunning::run(db, due + Duration::days(40), after).await.expect("dunning"), (0, 0));
}
