//! Two replicas (router + subgraphs each) over one database and one Redis:
//! a subscriber on one sees events produced on the other, and the
//! notification consumer group handles each event once across both.

use std::time::Duration;

use backbone::dev::DevOptions;
use backbone_entities::notifications::notification;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use super::scene::{Scene, WITHIN, eventually, fast, redis_url};

#[tokio::test]
async fn a_subscriber_on_one_replica_sees_events_made_on_the_other() {
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    let over_redis = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        c.redis_url = Some(redis_url());
        c.redis_stream = stream.clone();
    };
    // Replicas share a database; two writers on one SQLite file is not a
    // supported deployment, so this runs on Postgres.
    let db = subgraph_kit::testkit::TestDb::postgres().await.expect("postgres");
    let one = Scene::on(db, over_redis, DevOptions::default()).await;
    let two = Scene::on(one.db.borrowed(), over_redis, DevOptions::default()).await;
    assert_eq!(one.tenant, two.tenant, "one database, one tenant");
    one.team("Front desk", &["staff"], Some("billing")).await;

    let mut on_one = one.ws(Some("staff"), "graphql-transport-ws").await;
    on_one
        .subscribe(
            "s",
            "subscription { complaintStatusChanged { to complaint { assignee { displayName } } } }",
            json!({}),
        )
        .await
        .expect("s");
    let mut inbox_one = one.ws(Some("patient"), "graphql-ws").await;
    inbox_one.subscribe("n", "subscription { notificationReceived { title } }", json!({})).await.expect("s");
    eventually(WITHIN, "feeds open", || async { one.graph.realtime.feeds.open() == 2 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Everything happens on replica two.
    let id = two.file("patient", "billing", "NORMAL").await;
    let changed = two.set_status("staff", &id, "ACKNOWLEDGED").await;
    assert!(changed.get("errors").is_none(), "{changed}");

    let seen = on_one.next(WITHIN).await.expect("replica one pushes replica two's change");
    let change = &seen["payload"]["data"]["complaintStatusChanged"];
    assert_eq!(change["to"], "ACKNOWLEDGED", "{seen}");
    assert_eq!(change["complaint"]["assignee"]["displayName"], "Demo staff");
    let pushed = inbox_one.next(WITHIN).await.expect("notification pushed on replica one");
    assert!(
        pushed["payload"]["data"]["notificationReceived"]["title"]
            .as_str()
            .expect("title")
            .contains("acknowledged")
    );

    // Both replicas run the notification consumer in one group: the
    // assignment and the status change each notified once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let total = notification::Entity::find().count(&one.graph.kit.db).await.expect("count");
    assert_eq!(total, 2, "one for the assignee, one for the reporter");
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let _: () = redis::cmd("DEL").arg(&stream).query_async(&mut conn).await.expect("DEL");
}
