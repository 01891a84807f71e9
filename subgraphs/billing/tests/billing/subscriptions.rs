//! Subscriptions: the operator subscribes a customer tenant, changes its
//! plan now or at the period's end as it says, cancels and resumes; the
//! tenant's own admins read it on the federated `Tenant`, nobody else
//! does; renewal brings booked changes into force, ends cancelled
//! subscriptions, ends trials and catches up missed periods.

use backbone_entities::billing::{phase, subscription::SubscriptionStatus};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use subgraph_billing::domain::{
    renewal,
    subscriptions::{self, Timing},
};
use subgraph_kit::testkit::{data, error_codes};

use crate::fixture::Billed;

fn plan(name: &str, interval: &str, currency: &str, fee: &str, trial: i32) -> Value {
    json!({"name": name, "interval": interval, "currency": currency, "fee": fee, "trialDays": trial, "charges": []})
}

async fn catalogue(b: &Billed) {
    b.plan("basic", plan("Basic", "MONTHLY", "EUR", "20", 0)).await;
    b.plan("pro", plan("Pro", "MONTHLY", "EUR", "50", 14)).await;
    b.plan("basic_yearly", plan("Basic yearly", "YEARLY", "EUR", "200", 0)).await;
    b.plan("yen", plan("Yen", "MONTHLY", "JPY", "3000", 0)).await;
}

const SUB: &str = "id status cancelAtPeriodEnd currentPeriodStart currentPeriodEnd endedAt trialEndsAt plan { code version } scheduledPlan { code } scheduledAt";

async fn call(b: &Billed, token: &str, mutation: &str, args: &str, vars: Value) -> Value {
    let q = format!("mutation{args} {{ {mutation} {{ {SUB} }} }}");
    b.gql(token, &q, vars).await
}

async fn tenant_subscription(b: &Billed, token: &str, tenant: uuid::Uuid) -> Value {
    let q = format!(
        "query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Tenant {{ subscription {{ {SUB} }} }} }} }}"
    );
    b.gql(token, &q, json!({"r": [{"__typename": "Tenant", "id": tenant}]})).await
}

#[tokio::test]
async fn the_operator_subscribes_changes_both_ways_cancels_and_resumes_and_only_the_tenant_reads_it() {
    let b = Billed::start().await;
    catalogue(&b).await;
    let t = json!(b.tenant);
    let subscribe = |token: &str, code: &str| {
        let vars = json!({"t": t, "p": code});
        let token = token.to_owned();
        let b = &b;
        async move {
            call(b, &token, "subscribeTenant(tenantId: $t, planCode: $p)", "($t: ID!, $p: String!)", vars)
                .await
        }
    };
    let change = |code: &str, timing: &str| {
        let vars = json!({"t": t, "p": code, "w": timing});
        let b = &b;
        async move {
            call(
                b,
                &b.operator,
                "changeSubscriptionPlan(tenantId: $t, planCode: $p, timing: $w)",
                "($t: ID!, $p: String!, $w: SubscriptionTiming)",
                vars,
            )
            .await
        }
    };
    let cancel = |timing: &str| {
        let vars = json!({"t": t, "w": timing});
        let b = &b;
        async move {
            call(
                b,
                &b.operator,
                "cancelSubscription(tenantId: $t, timing: $w)",
                "($t: ID!, $w: SubscriptionTiming!)",
                vars,
            )
            .await
        }
    };

    assert_eq!(
        error_codes(&subscribe(&b.admin, "basic").await),
        ["FORBIDDEN"],
        "a tenant does not subscribe itself"
    );
    let s = data(subscribe(&b.operator, "basic").await)["subscribeTenant"].clone();
    assert_eq!((s["status"].as_str(), s["plan"]["code"].as_str()), (Some("ACTIVE"), Some("basic")));
    let start: DateTime<Utc> = serde_json::from_value(s["currentPeriodStart"].clone()).expect("start");
    let end: DateTime<Utc> = serde_json::from_value(s["currentPeriodEnd"].clone()).expect("end");
    assert_eq!(end, start.checked_add_months(chrono::Months::new(1)).expect("month"));
    let again = subscribe(&b.operator, "pro").await;
    assert_eq!(error_codes(&again), ["CONFLICT"]);
    assert_eq!(again["errors"][0]["extensions"]["reason"], "ALREADY_SUBSCRIBED");
    assert_eq!(error_codes(&change("yen", "IMMEDIATELY").await), ["BAD_USER_INPUT"], "another currency");
    assert_eq!(
        error_codes(&change("basic_yearly", "IMMEDIATELY").await),
        ["BAD_USER_INPUT"],
        "interval mid-period"
    );

    let up = data(change("pro", "IMMEDIATELY").await)["changeSubscriptionPlan"].clone();
    assert_eq!(up["plan"]["code"], "pro");
    assert_eq!(up["currentPeriodEnd"], s["currentPeriodEnd"], "an immediate change keeps the period");
    let down = data(change("basic", "AT_PERIOD_END").await)["changeSubscriptionPlan"].clone();
    assert_eq!(
        (down["plan"]["code"].as_str(), down["scheduledPlan"]["code"].as_str()),
        (Some("pro"), Some("basic"))
    );
    assert_eq!(down["scheduledAt"], s["currentPeriodEnd"]);
    let phases = phase::Entity::find()
        .filter(phase::Column::TenantId.eq(b.tenant))
        .order_by_asc(phase::Column::StartsAt)
        .all(&b.app.kit.db)
        .await
        .expect("phases");
    assert_eq!(phases.len(), 3, "basic (closed), pro (open), basic booked for the period's end");
    assert!(phases[0].ends_at.is_some() && phases[1].ends_at.is_none());
    assert_eq!(phases[2].starts_at, end);

    // Read on the federated Tenant: its admins and auditors, not another tenant.
    for token in [&b.admin, &b.auditor, &b.operator] {
        let r = data(tenant_subscription(&b, token, b.tenant).await);
        assert_eq!(r["_entities"][0]["subscription"]["plan"]["code"], "pro");
    }
    let theirs = tenant_subscription(&b, &b.other_admin, b.tenant).await;
    assert_eq!(error_codes(&theirs), ["NOT_FOUND"]);
    let own = data(tenant_subscription(&b, &b.other_admin, b.other_tenant).await);
    assert_eq!(own["_entities"][0]["subscription"], Value::Null, "the other tenant has none");

    let ending = data(cancel("AT_PERIOD_END").await)["cancelSubscription"].clone();
    assert_eq!((ending["cancelAtPeriodEnd"].as_bool(), &ending["scheduledPlan"]), (Some(true), &Value::Null));
    let refused = change("basic", "IMMEDIATELY").await;
    assert_eq!(refused["errors"][0]["extensions"]["reason"], "ENDING");
    let q = "mutation($t: ID!) { resumeSubscription(tenantId: $t) { cancelAtPeriodEnd } }";
    let resumed = data(b.gql(&b.operator, q, json!({"t": t})).await);
    assert_eq!(resumed["resumeSubscription"]["cancelAtPeriodEnd"], false);
    let ended = data(cancel("IMMEDIATELY").await)["cancelSubscription"].clone();
    assert_eq!(ended["status"], "CANCELED");
    assert!(ended["endedAt"].is_string());
    let r = data(tenant_subscription(&b, &b.admin, b.tenant).await);
    assert_eq!(r["_entities"][0]["subscription"], Value::Null);
    let trial = data(subscribe(&b.operator, "pro").await)["subscribeTenant"].clone();
    assert_eq!(trial["status"], "TRIALING", "a tenant may subscribe again once ended; pro has a trial");
    assert!(trial["trialEndsAt"].is_string());

    let unknown = call(
        &b,
        &b.operator,
        "subscribeTenant(tenantId: $t, planCode: $p)",
        "($t: ID!, $p: String!)",
        json!({"t": uuid::Uuid::now_v7(), "p": "basic"}),
    )
    .await;
    assert_eq!(error_codes(&unknown), ["NOT_FOUND"]);
    let changes = backbone_entities::platform::outbox::Entity::find()
        .filter(backbone_entities::platform::outbox::Column::EventType.eq(subscriptions::CHANGED))
        .all(&b.app.kit.db)
        .await
        .expect("outbox");
    assert_eq!(changes.len(), 7, "subscribe, 2 changes, cancel, resume, cancel, subscribe");
}

const GRACE: chrono::Duration = chrono::Duration::hours(72);

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("date")
}

#[tokio::test]
async fn renewal_brings_booked_changes_into_force_ends_cancelled_and_trial_subscriptions_and_catches_up() {
    let b = Billed::start().await;
    catalogue(&b).await;
    let db = &b.app.kit.db;
    let (t, other) = (b.tenant, b.other_tenant);
    let live = async |tenant| subscriptions::live(db, tenant).await.expect("live");

    subscriptions::subscribe(db, t, None, "basic", day(2026, 1, 31)).await.expect("subscribe");
    subscriptions::subscribe(db, other, None, "pro", day(2026, 1, 31)).await.expect("subscribe");
    // Down for a while: on Apr 10 the missed periods close one by one.
    let closed = renewal::renew_due(db, day(2026, 4, 10), GRACE).await.expect("renew");
    assert_eq!(closed, 4, "Feb 28, Mar 31 for each");
    let s = live(t).await.expect("basic");
    assert_eq!(
        (s.row.period_start, s.row.period_end),
        (day(2026, 3, 31), day(2026, 4, 30)),
        "the 31st comes back"
    );
    let o = live(other).await.expect("pro");
    assert_eq!(o.row.status, SubscriptionStatus::Active, "the 14-day trial is over");

    // A change to a yearly plan booked for the period's end moves the anchor.
    subscriptions::change_plan(db, t, None, "basic_yearly", Timing::AtPeriodEnd, day(2026, 4, 12))
        .await
        .expect("book");
    assert_eq!(renewal::renew_due(db, day(2026, 4, 20), GRACE).await.expect("renew"), 0, "nothing due yet");
    renewal::renew_due(db, day(2026, 5, 1), GRACE).await.expect("renew");
    let s = live(t).await.expect("yearly");
    assert_eq!(s.row.plan_code, "basic_yearly");
    assert_eq!((s.row.period_start, s.row.period_end), (day(2026, 4, 30), day(2027, 4, 30)));
    let in_force: Vec<_> = s.phases.iter().filter(|p| p.ends_at.is_none()).collect();
    assert_eq!(in_force.len(), 1);
    assert_eq!(in_force[0].starts_at, day(2026, 4, 30));

    // Cancelled for the period's end: it ends then, and not before.
    assert_eq!(live(other).await.expect("pro").row.period_end, day(2026, 5, 31));
    subscriptions::cancel(db, other, None, Timing::AtPeriodEnd, day(2026, 5, 10), GRACE)
        .await
        .expect("cancel");
    renewal::renew_due(db, day(2026, 5, 30), GRACE).await.expect("renew");
    assert!(live(other).await.is_some(), "still live until May 31");
    renewal::renew_due(db, day(2026, 6, 2), GRACE).await.expect("renew");
    assert!(live(other).await.is_none());
    let ended = backbone_entities::billing::subscription::Entity::find()
        .filter(backbone_entities::billing::subscription::Column::TenantId.eq(other))
        .one(db)
        .await
        .expect("row")
        .expect("ended");
    assert_eq!((ended.status, ended.ended_at), (SubscriptionStatus::Canceled, Some(day(2026, 5, 31))));
}
