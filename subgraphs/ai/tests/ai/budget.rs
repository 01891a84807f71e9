//! Reservations race on one budget row: however the database interleaves
//! them, the reserved total never passes the limit.

use subgraph_ai::domain::budget;
use subgraph_kit::{
    Kit,
    testkit::{TestDb, test_config},
};
use uuid::Uuid;

#[tokio::test]
async fn racing_reservations_never_pass_the_limit() {
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let tenant = Uuid::now_v7();
    budget::ensure(&kit.db, tenant, 1_000).await.expect("budget");
    let tries = (0..60).map(|_| {
        let db = kit.db.clone();
        tokio::spawn(async move { budget::reserve(&db, tenant, 70, 0).await.is_ok() })
    });
    let won = futures::future::join_all(tries).await.into_iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(won, 14, "1000 / 70 = 14 reservations fit");
    let row = budget::ensure(&kit.db, tenant, 0).await.expect("row");
    assert_eq!(row.reserved_tokens, 14 * 70);

    budget::settle(&kit.db, tenant, 70, 30).await.expect("settle");
    let row = budget::ensure(&kit.db, tenant, 0).await.expect("row");
    assert_eq!((row.reserved_tokens, row.used_tokens), (13 * 70, 30));
    assert!(budget::reserve(&kit.db, tenant, 40, 0).await.is_ok(), "released tokens can be reserved again");
    assert!(
        budget::reserve(&kit.db, tenant, 21, 0).await.is_err(),
        "910 reserved + 30 used + 40 + 21 > 1000"
    );

    // A call that reports 500 tokens on a 70-token reservation is charged
    // only as far as the limit allows; the rest is an overrun that blocks
    // further reservations.
    assert_eq!(budget::settle(&kit.db, tenant, 70, 500).await.expect("settle"), 430);
    let row = budget::ensure(&kit.db, tenant, 0).await.expect("row");
    assert!(row.used_tokens + row.reserved_tokens <= row.limit_tokens, "{row:?}");
    assert_eq!(row.overrun_tokens, 430);
    assert!(budget::reserve(&kit.db, tenant, 1, 0).await.is_err(), "blocked after an overrun");
}

/// A budget is per calendar month: tokens spent in an earlier month do
/// not count against this one (nor does an overrun recorded then).
#[tokio::test]
async fn a_new_month_starts_the_budget_again() {
    use backbone_entities::ai::budget as row;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let tenant = Uuid::now_v7();
    budget::ensure(&kit.db, tenant, 1_000).await.expect("budget");
    budget::reserve(&kit.db, tenant, 1_000, 1_000).await.expect("the month's tokens");
    budget::settle(&kit.db, tenant, 1_000, 1_200).await.expect("overrun");
    assert!(budget::reserve(&kit.db, tenant, 1, 1_000).await.is_err(), "spent this month");
    // As if all that happened last month.
    let last_month = chrono::Utc::now() - chrono::Duration::days(40);
    let mut r: row::ActiveModel =
        row::Entity::find_by_id(tenant).one(&kit.db).await.expect("read").expect("row").into();
    r.period_start = Set(last_month);
    r.update(&kit.db).await.expect("backdate");
    budget::reserve(&kit.db, tenant, 600, 1_000).await.expect("a new month");
    let now = row::Entity::find_by_id(tenant).one(&kit.db).await.expect("read").expect("row");
    assert_eq!((now.used_tokens, now.reserved_tokens, now.overrun_tokens), (0, 600, 0));
    assert!(now.period_start > last_month);
    assert!(budget::reserve(&kit.db, tenant, 401, 1_000).await.is_err(), "still one month's limit");
}

/// What the tenant reads (`Tenant.aiUsage`) is this month's budget even
/// before this month's first call: last month's spending is not shown as
/// this month's.
#[tokio::test]
async fn the_budget_read_in_a_new_month_shows_nothing_spent_before_its_first_call() {
    use backbone_entities::ai::budget as row;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let tenant = Uuid::now_v7();
    budget::ensure(&kit.db, tenant, 1_000).await.expect("budget");
    budget::reserve(&kit.db, tenant, 700, 1_000).await.expect("reserve");
    budget::settle(&kit.db, tenant, 700, 650).await.expect("spent");
    let last_month = chrono::Utc::now() - chrono::Duration::days(40);
    let mut r: row::ActiveModel =
        row::Entity::find_by_id(tenant).one(&kit.db).await.expect("read").expect("row").into();
    r.period_start = Set(last_month);
    r.update(&kit.db).await.expect("backdate");
    let read = budget::current(&kit.db, tenant, 1_000).await.expect("current");
    assert_eq!((read.used_tokens, read.overrun_tokens, read.limit_tokens), (0, 0, 1_000));
    assert!(read.period_start > last_month, "this month's: {:?}", read.period_start);
}
