//! Billing's data contract: usage counted under a person (a unique count
//! of their id or address) is exported, and erasure re-keys it so the
//! counts stay and nothing leads back to them (free text naming them is
//! replaced); retention purges old usage
//! except that of people on legal hold.

use chrono::{TimeZone, Utc};
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::{Value, json};
use subgraph_billing::domain::{
    catalogue,
    data::BillingData,
    ingest,
    usage::{self, Period},
};
use subgraph_kit::contract::{DataContract, Person, Purge, Subject};
use uuid::Uuid;

use crate::fixture::Billed;

#[tokio::test]
async fn erasure_rekeys_a_persons_usage_and_keeps_every_count() {
    let b = Billed::start().await;
    b.metric("ai_users", "UNIQUE_COUNT", "ai.usage_recorded", Some("userId"), json!([])).await;
    b.metric("mailed", "UNIQUE_COUNT", "mail.sent", Some("to"), json!([])).await;
    let db = &b.app.kit.db;
    let (person, someone_else) = (Uuid::now_v7(), Uuid::now_v7());
    let nov = |d| Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).single().expect("date");
    let ev = |kind: &str, d, payload: Value| {
        std::sync::Arc::new(backbone_schema::EventEnvelope {
            id: Uuid::now_v7(),
            event_type: kind.into(),
            tenant_id: b.tenant,
            occurred_at: nov(d),
            actor: None,
            payload,
        })
    };
    let events = [
        ev("ai.usage_recorded", 2, json!({"userId": person})),
        ev("ai.usage_recorded", 3, json!({"userId": person})),
        ev("ai.usage_recorded", 3, json!({"userId": someone_else})),
        ev("mail.sent", 4, json!({"to": "ana@example.org"})),
    ];
    ingest::from_bus(db, &events).await.expect("metered");
    let month = Period::new(nov(1), nov(30)).expect("period");
    let count = async |code: &str| {
        let m = catalogue::metric(db, code).await.expect("metric");
        usage::quantity(db, b.tenant, &m, month).await.expect("quantity").to_string()
    };
    assert_eq!((count("ai_users").await, count("mailed").await), ("2".into(), "1".into()));

    let who = Person::new(Subject { tenant_id: b.tenant, user_id: person }, ["Ana@Example.org".to_owned()]);
    let exported = BillingData.export(db, &who).await.expect("export");
    let counted = exported["countedUsage"].as_array().expect("usage");
    assert_eq!(counted.len(), 3, "two AI calls and one mail: {exported}");
    assert!(counted.iter().any(|u| u["metric"] == "mailed"));

    let note = subgraph_billing::domain::wallet::top_up(
        db,
        b.tenant,
        "EUR",
        "10".parse().expect("d"),
        "Paid for ANA@example.org",
    )
    .await
    .expect("top-up");
    let other_note = subgraph_billing::domain::wallet::top_up(
        db,
        b.tenant,
        "EUR",
        "5".parse().expect("d"),
        "Prepaid, March",
    )
    .await
    .expect("top-up");
    let txn = db.begin().await.expect("txn");
    let erased = BillingData.erase(&txn, &who).await.expect("erase");
    subgraph_kit::db::commit(txn).await.expect("commit");
    assert_eq!(erased.get("billing_usage_rekeyed"), Some(&3));
    assert_eq!(erased.get("billing_free_text_erased"), Some(&1));
    let entries = backbone_entities::billing::wallet_entry::Entity::find().all(db).await.expect("entries");
    let text = |id| entries.iter().find(|e| e.id == id).map(|e| e.description.clone()).expect("entry");
    assert_eq!((text(note.id), text(other_note.id)), ("(erased)".to_owned(), "Prepaid, March".to_owned()));
    assert_eq!(BillingData.export(db, &who).await.expect("export")["countedUsage"], json!([]));
    assert_eq!(
        (count("ai_users").await, count("mailed").await),
        ("2".into(), "1".into()),
        "counts unchanged"
    );
    let others = Person::new(Subject { tenant_id: b.tenant, user_id: someone_else }, []);
    assert_eq!(
        BillingData.export(db, &others).await.expect("export")["countedUsage"].as_array().map(Vec::len),
        Some(1)
    );

    // Retention: usage before Nov 3 goes, except a person on legal hold.
    let purge = |dry_run, exceptions: Vec<Uuid>| Purge {
        tenant_id: b.tenant,
        data_type: "billing_usage".into(),
        before: nov(4),
        exceptions,
        dry_run,
    };
    assert_eq!(BillingData.purge(db, &purge(true, vec![someone_else])).await.expect("dry run"), 2);
    assert_eq!(BillingData.purge(db, &purge(false, vec![someone_else])).await.expect("purge"), 2);
    let left = backbone_entities::billing::usage::Entity::find().all(db).await.expect("rows");
    assert_eq!(left.len(), 2, "the held person's row and the mail on Nov 4");
}
