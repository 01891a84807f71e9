//! Entitlement quotas as a spending subgraph keeps them: the plan's grant
//! followed from billing's event, 20 concurrent spends never passing a
//! hard monthly limit, the next month starting afresh, a soft limit
//! noticed once, a withdrawn plan refusing everything, and a count the
//! subgraph keeps itself admitted against its limit.

use backbone_entities::platform::outbox;
use backbone_schema::{EventEnvelope, event_types::ENTITLEMENTS_CHANGED};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};
use subgraph_kit::{
    ApiResult,
    quota::{self, Key, WithoutGrant},
    testkit::TestApp,
};
use uuid::Uuid;

const VISITS: &str = "test.visits_per_month";
const SEATS: &str = "test.seats";
const KEYS: &[Key] = &[
    Key { name: VISITS, without_grant: WithoutGrant::Unlimited },
    Key { name: SEATS, without_grant: WithoutGrant::Nothing },
];

/// `billing.entitlements_changed` as billing publishes it.
fn plan(tenant: Uuid, plan: Option<&str>, grants: Value) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        event_type: ENTITLEMENTS_CHANGED.into(),
        tenant_id: tenant,
        occurred_at: Utc::now(),
        actor: None,
        payload: json!({"planCode": plan, "planVersion": plan.map(|_| 1), "status": "active", "entitlements": grants}),
    }
}

async fn spend(db: &DatabaseConnection, tenant: Uuid, key: &str, at: DateTime<Utc>) -> ApiResult<()> {
    let txn = db.begin().await?;
    quota::spend(&txn, tenant, key, 1, at).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

fn reason(r: &ApiResult<()>) -> Option<&'static str> {
    match r {
        Err(subgraph_kit::ApiError::Because { reason, .. }) => Some(reason),
        _ => None,
    }
}

async fn notices(db: &DatabaseConnection, tenant: Uuid) -> Vec<Value> {
    outbox::Entity::find()
        .filter(outbox::Column::TenantId.eq(tenant))
        .filter(outbox::Column::EventType.eq(quota::SOFT_LIMIT_EXCEEDED))
        .all(db)
        .await
        .expect("outbox")
        .into_iter()
        .map(|r| serde_json::from_str(&r.payload).expect("json"))
        .collect()
}

#[tokio::test]
async fn concurrent_spends_never_pass_a_hard_monthly_limit_and_the_next_month_starts_afresh() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let db = &app.kit.db;
    let tenant = Uuid::now_v7();
    let june = Utc::now();
    // Before any plan: no limit from billing.
    spend(db, tenant, VISITS, june).await.expect("no plan, no limit");

    let event = plan(tenant, Some("clinic"), json!([{"key": VISITS, "limit": 5, "hard": true}]));
    quota::follow(db, "test.quotas", &event, KEYS).await.expect("follow");
    quota::follow(db, "test.quotas", &event, KEYS).await.expect("redelivered");
    let spends = (0..20).map(|_| spend(db, tenant, VISITS, june));
    let results = futures::future::join_all(spends).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 5, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| reason(r) == Some(quota::REFUSED)), "{results:?}");
    let code = results.iter().find_map(|r| r.as_ref().err()).map(|e| e.code().as_str());
    assert_eq!(code, Some("BUDGET_EXCEEDED"));

    // The next month: five more.
    let next = june + Duration::days(32);
    let july = Utc.with_ymd_and_hms(next.year(), next.month(), 1, 0, 0, 1).single().expect("date");
    for _ in 0..5 {
        spend(db, tenant, VISITS, july).await.expect("a new month");
    }
    assert!(spend(db, tenant, VISITS, july).await.is_err());

    // A plan that does not name the key lifts billing's limit; SEATS, which
    // a plan must grant, is then nothing.
    quota::follow(db, "test.quotas", &plan(tenant, Some("basic"), json!([])), KEYS).await.expect("follow");
    spend(db, tenant, VISITS, july).await.expect("unlimited");
    assert_eq!(
        quota::grant(db, tenant, SEATS).await.expect("grant"),
        Some(quota::Grant { limit: Some(0), hard: true })
    );

    // Suspended or ended (no plan): everything withdrawn.
    let event = plan(tenant, None, json!([]));
    quota::follow(db, "test.quotas", &event, KEYS).await.expect("follow");
    assert_eq!(reason(&spend(db, tenant, VISITS, july).await), Some(quota::REFUSED));
}

#[tokio::test]
async fn a_soft_limit_lets_spends_through_and_is_noticed_once_a_month_or_each_time_a_count_crosses_it() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let db = &app.kit.db;
    let tenant = Uuid::now_v7();
    let grants =
        json!([{"key": VISITS, "limit": 2, "hard": false}, {"key": SEATS, "limit": 3, "hard": false}]);
    quota::follow(db, "test.quotas", &plan(tenant, Some("soft"), grants), KEYS).await.expect("follow");
    let now = Utc::now();
    for _ in 0..5 {
        spend(db, tenant, VISITS, now).await.expect("soft: let through");
    }
    let sent = notices(db, tenant).await;
    assert_eq!(sent.len(), 1, "once a month: {sent:?}");
    assert_eq!(
        (sent[0]["key"].as_str(), sent[0]["limit"].as_i64(), sent[0]["used"].as_i64()),
        (Some(VISITS), Some(2), Some(3))
    );

    // A count: 3 → 4 crosses (noticed), 4 → 5 does not; under a hard limit
    // 3 → 4 is refused.
    let admit = |current: i64| async move {
        let txn = db.begin().await?;
        quota::admit(&txn, tenant, SEATS, current, 1).await?;
        subgraph_kit::db::commit(txn).await?;
        subgraph_kit::ApiResult::Ok(())
    };
    admit(2).await.expect("within");
    admit(3).await.expect("soft");
    admit(4).await.expect("soft");
    assert_eq!(notices(db, tenant).await.len(), 2);
    let hard = json!([{"key": SEATS, "limit": 3, "hard": true}]);
    quota::follow(db, "test.quotas", &plan(tenant, Some("hard"), hard), KEYS).await.expect("follow");
    assert_eq!(reason(&admit(3).await), Some(quota::REFUSED));
    admit(2).await.expect("within");
}
