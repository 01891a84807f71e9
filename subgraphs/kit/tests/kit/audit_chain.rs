//! The audit chain stays linear when many transactions append to one
//! tenant at once (advisory lock on Postgres, single writer on SQLite).

use sea_orm::TransactionTrait;
use serde_json::json;
use subgraph_kit::{
    audit::{self, AuditEntry},
    testkit::TestApp,
};
use uuid::Uuid;

#[tokio::test]
async fn concurrent_appends_form_one_valid_chain() {
    let app = TestApp::start(|_| axum::Router::new()).await.expect("start");
    let tenant = Uuid::now_v7();
    let other = Uuid::now_v7();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = app.kit.db.clone();
        let t = if i % 4 == 0 { other } else { tenant };
        tasks.push(tokio::spawn(async move {
            let txn = db.begin().await.expect("begin");
            let entry = AuditEntry {
                event_type: "test.event",
                resource_type: "thing",
                resource_id: i.to_string(),
                data: json!({"i": i}),
            };
            audit::append(&txn, t, None, entry).await.expect("append");
            subgraph_kit::db::commit(txn).await.expect("commit");
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let report = audit::verify_chain(&app.kit.db, tenant).await.expect("verify");
    assert_eq!(report.checked, 15);
    assert!(report.broken.is_none(), "{:?}", report.broken);
    let report = audit::verify_chain(&app.kit.db, other).await.expect("verify");
    assert_eq!((report.checked, report.broken.is_none()), (5, true));
}
