//! Discounts and credits in their stated order: coupons off the lines
//! before tax (in the order redeemed, each on what the last left), then
//! tax, then wallet credit at finalization (a top-up is not taxed); and
//! credit notes, partial and full, off what an unpaid invoice still asks
//! and into the wallet beyond it or for a paid invoice.

use chrono::Duration;
use serde_json::{Value, json};
use subgraph_billing::domain::{renewal, subscriptions};
use subgraph_kit::testkit::{data, error_codes};

use crate::fixture::{Billed, GRACE, nov};

const FIELDS: &str = "id number status subtotal discount tax total creditsApplied credited amountDue \
    lines { kind description amount }";

async fn op(b: &Billed, q: &str, vars: Value) -> Value {
    b.gql(&b.operator, q, vars).await
}

async fn finalize(b: &Billed, id: &Value) -> Value {
    let q = format!("mutation($id: ID!) {{ finalizeInvoice(id: $id) {{ {FIELDS} }} }}");
    data(op(b, &q, json!({"id": id})).await)["finalizeInvoice"].clone()
}

async fn wallet(b: &Billed) -> Value {
    let q = "{ wallet { balances { currency balance } entries { kind amount description } } }";
    data(b.gql(&b.admin, q, json!({})).await)["wallet"].clone()
}

async fn credit(b: &Billed, invoice: &Value, amount: Option<&str>) -> Value {
    let q = "mutation($id: ID!, $a: String) { issueCreditNote(invoiceId: $id, amount: $a, reason: \"Service outage\") \
             { number invoiceNumber amount tax creditedTo } }";
    op(b, q, json!({"id": invoice, "a": amount})).await
}

#[tokio::test]
async fn coupons_come_off_before_tax_and_wallet_credit_after_and_credit_notes_take_off_what_is_owed() {
    let b = Billed::start().await;
    let plan =
        json!({"name": "Clinic", "interval": "MONTHLY", "currency": "EUR", "fee": "100", "trialDays": 0});
    b.plan("clinic", plan).await;
    let q = "mutation($i: TaxRateInput!) { setTaxRate(input: $i) { rate } }";
    data(op(&b, q, json!({"i": {"country": "DE", "name": "VAT", "rate": "19", "inclusive": false}})).await);
    let q = "mutation($t: ID!) { setBillingProfile(tenantId: $t, input: {country: \"DE\"}) { country } }";
    data(op(&b, q, json!({"t": b.tenant})).await);
    let q = "mutation($i: CouponInput!) { createCoupon(input: $i) { code percentOff amountOff currency periods } }";
    let welcome = data(
        op(&b, q, json!({"i": {"code": "welcome10", "name": "Welcome", "percentOff": "10", "periods": 1}}))
            .await,
    );
    assert_eq!(welcome["createCoupon"]["periods"], 1);
    data(
        op(&b, q, json!({"i": {"code": "minus5", "name": "Loyalty", "amountOff": "5", "currency": "EUR"}}))
            .await,
    );
    data(
        op(&b, q, json!({"i": {"code": "yen500", "name": "Yen", "amountOff": "500", "currency": "JPY"}}))
            .await,
    );
    let bad = op(&b, q, json!({"i": {"code": "both", "name": "Both", "percentOff": "10", "amountOff": "5", "currency": "EUR"}})).await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
    let redeem = "mutation($t: ID!, $c: String!) { redeemCoupon(tenantId: $t, code: $c) }";
    for code in ["welcome10", "minus5", "yen500"] {
        data(op(&b, redeem, json!({"t": b.tenant, "c": code})).await);
    }
    let twice = op(&b, redeem, json!({"t": b.tenant, "c": "minus5"})).await;
    assert_eq!(twice["errors"][0]["extensions"]["reason"], "ALREADY_REDEEMED");
    let q = "mutation($t: ID!, $a: String!) { topUpWallet(tenantId: $t, currency: \"EUR\", amount: $a, description: \"Prepaid\") { amount kind } }";
    assert_eq!(
        data(op(&b, q, json!({"t": b.tenant, "a": "50"})).await)["topUpWallet"]["amount"],
        "50.00",
        "not taxed"
    );
    assert_eq!(error_codes(&op(&b, q, json!({"t": b.tenant, "a": "-5"})).await), ["BAD_USER_INPUT"]);
    let denied = b.gql(&b.admin, q, json!({"t": b.tenant, "a": "1000"})).await;
    assert_eq!(error_codes(&denied), ["FORBIDDEN"], "a tenant does not fill its own wallet");

    let db = &b.app.kit.db;
    subscriptions::subscribe(db, b.tenant, None, "clinic", nov(1, 0)).await.expect("subscribe");
    renewal::renew_due(db, nov(30, 0) + Duration::days(1), GRACE).await.expect("renew");
    let draft = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    // 100 − 10 % (10) − 5 = 85; the yen coupon does not apply to euros.
    let lines: Vec<(&str, &str)> = draft["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| (l["kind"].as_str().expect("k"), l["amount"].as_str().expect("a")))
        .collect();
    assert_eq!(lines, [("FEE", "100.00"), ("DISCOUNT", "-10.00"), ("DISCOUNT", "-5.00")]);
    assert_eq!((draft["subtotal"].as_str(), draft["discount"].as_str()), (Some("85.00"), Some("15.00")));
    // VAT on what is left: 85 × 19 % = 16.15; total 101.15; the wallet's 50 at finalization.
    let november = finalize(&b, &draft["id"]).await;
    assert_eq!((november["tax"].as_str(), november["total"].as_str()), (Some("16.15"), Some("101.15")));
    assert_eq!(
        (november["creditsApplied"].as_str(), november["amountDue"].as_str()),
        (Some("50.00"), Some("51.15"))
    );
    let w = wallet(&b).await;
    assert_eq!(w["balances"], json!([{"currency": "EUR", "balance": "0.00"}]));
    assert_eq!(w["entries"][0]["kind"], "APPLIED");
    assert_eq!(w["entries"][0]["amount"], "-50.00");

    // December: the welcome coupon was for one invoice; the loyalty one stays.
    renewal::renew_due(db, nov(30, 0) + Duration::days(32), GRACE).await.expect("renew");
    let december = b.invoices(&b.admin, None, FIELDS).await[0].clone();
    assert_eq!((december["subtotal"].as_str(), december["total"].as_str()), (Some("95.00"), Some("113.05")));

    // Credit notes against November (unpaid: 51.15 still owed).
    let draft_credit = credit(&b, &december["id"], Some("1")).await;
    assert_eq!(
        draft_credit["errors"][0]["extensions"]["reason"], "INVOICE_STATE",
        "a draft is corrected, not credited"
    );
    let partial = data(credit(&b, &november["id"], Some("20")).await)["issueCreditNote"].clone();
    assert_eq!(
        partial,
        json!({"number": "INV-CN-000001", "invoiceNumber": "INV-000001", "amount": "20.00", "tax": "3.19", "creditedTo": "INVOICE"})
    );
    let too_much = credit(&b, &november["id"], Some("81.16")).await;
    assert_eq!(error_codes(&too_much), ["BAD_USER_INPUT"], "81.15 is all that is left to credit");
    let rest = data(credit(&b, &november["id"], None).await)["issueCreditNote"].clone();
    assert_eq!((rest["amount"].as_str(), rest["creditedTo"].as_str()), (Some("81.15"), Some("WALLET")));
    let q = format!("query($id: ID!) {{ invoice(id: $id) {{ {FIELDS} }} }}");
    let after = data(b.gql(&b.admin, &q, json!({"id": november["id"]})).await)["invoice"].clone();
    assert_eq!((after["credited"].as_str(), after["amountDue"].as_str()), (Some("101.15"), Some("0.00")));
    // 31.15 came off what was owed; the 50 the wallet had paid went back to it.
    assert_eq!(wallet(&b).await["balances"][0]["balance"], "50.00");
    let q = "query($id: ID!) { creditNotes(invoiceId: $id) { number } }";
    let notes = data(b.gql(&b.admin, q, json!({"id": november["id"]})).await);
    assert_eq!(notes["creditNotes"], json!([{"number": "INV-CN-000001"}, {"number": "INV-CN-000002"}]));
    let theirs = b.gql(&b.other_admin, q, json!({"id": november["id"]})).await;
    assert_eq!(error_codes(&theirs), ["NOT_FOUND"]);

    // A paid invoice's credit goes to the wallet whole.
    let paid = finalize(&b, &december["id"]).await;
    assert_eq!(paid["creditsApplied"], "50.00", "the credit back in the wallet pays December first");
    let q = "mutation($id: ID!) { markInvoicePaid(id: $id) { status } }";
    data(op(&b, q, json!({"id": paid["id"]})).await);
    let refund = data(credit(&b, &paid["id"], Some("13.05")).await)["issueCreditNote"].clone();
    assert_eq!(
        (refund["number"].as_str(), refund["creditedTo"].as_str()),
        (Some("INV-CN-000003"), Some("WALLET"))
    );
    assert_eq!(wallet(&b).await["balances"][0]["balance"], "13.05");
}
