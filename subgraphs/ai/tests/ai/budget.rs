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
