//! Two replicas (router + subgraphs each) over one database and one bus,
//! Redis Streams or NATS JetStream: a subscriber on one sees events
//! produced on the other, and the notification consumer group handles each
//! event once across both.

use std::time::Duration;

use backbone::dev::DevOptions;
use backbone_entities::notifications::notification;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use super::scene::{Scene, WITHIN, eventually, fast, nats_url, redis_url};

#[tokio::test]
async fn a_subscriber_on_one_replica_sees_events_made_on_the_other_over_redis() {
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    one_replica_sees_the_others_events(|c| {
        c.redis_url = Some(redis_url());
        c.redis_stream = stream.clone();
    })
    .await;
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let _: () = redis::cmd("DEL").arg(&stream).query_async(&mut conn).await.expect("DEL");
}

#[tokio::test]
async fn a_subscriber_on_one_replica_sees_events_made_on_the_other_over_nats() {
    let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
    one_replica_sees_the_others_events(|c| {
        c.nats_url = Some(nats_url());
        c.nats_stream = stream.clone();
    })
    .await;
    let client = async_nats::connect(nats_url()).await.expect("nats");
    let _ = async_nats::jetstream::new(client).delete_stream(&stream).await;
}

async fn one_replica_sees_the_others_events(bus: impl Fn(&mut subgraph_kit::config::Config)) {
    let over_bus = |c: &mut subgraph_kit::config::Config| {
        fast(c);
        bus(c);
    };
    // Replicas share a database; two writers on one SQLite file is not a
    // supported deployment, so this runs on Postgres.
    let db = subgraph_kit::testkit::TestDb::postgres().await.expect("postgres");
    let one = Scene::on(db, over_bus, DevOptions::default()).await;
    let two = Scene::on(one.db.borrowed(), over_bus, DevOptions::default()).await;
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
}
