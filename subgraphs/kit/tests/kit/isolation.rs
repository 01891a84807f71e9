//! The pool holds each task to its isolation on Postgres: a query with no
//! tenant filter at all still sees only the task's tenant, every hand-out of
//! a pooled connection takes the new task's tenant, spawned work keeps it,
//! and a write into another tenant is refused by the database.

use backbone_entities::platform::outbox;
use sea_orm::{EntityTrait, PaginatorTrait, TransactionTrait};
use serde_json::json;
use subgraph_kit::{
    db,
    isolation::{self, Isolation},
    testkit::TestDb,
};
use uuid::Uuid;

async fn visible(conn: &sea_orm::DatabaseConnection) -> u64 {
    outbox::Entity::find().count(conn).await.expect("count")
}

#[tokio::test]
async fn each_task_sees_only_its_tenants_rows_through_the_shared_pool() {
    let test_db = TestDb::postgres().await.expect("test db");
    let conn = db::connect_and_migrate(&test_db.url).await.expect("connect");
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    // Outside any isolation: a platform job, which may write for anyone.
    let txn = conn.begin().await.expect("begin");
    for (tenant, n) in [(a, 3), (b, 2)] {
        for _ in 0..n {
            subgraph_kit::outbox::enqueue(&txn, tenant, None, "test.row", json!({})).await.expect("enqueue");
        }
    }
    db::commit(txn).await.expect("commit");

    assert_eq!(visible(&conn).await, 5, "a platform job sees every tenant");
    assert_eq!(isolation::within(Isolation::Tenant(a), visible(&conn)).await, 3);
    assert_eq!(isolation::within(Isolation::Tenant(b), visible(&conn)).await, 2);
    assert_eq!(isolation::within(Isolation::Nobody, visible(&conn)).await, 0);
    assert_eq!(isolation::within(Isolation::Tenant(Uuid::now_v7()), visible(&conn)).await, 0);

    // Many tasks of different tenants share the pool's 20 connections; each
    // sees its own tenant, whatever task held the connection before.
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (isolation, expected) = match i % 3 {
            0 => (Isolation::Tenant(a), 3),
            1 => (Isolation::Tenant(b), 2),
            _ => (Isolation::Nobody, 0),
        };
        let conn = conn.clone();
        tasks.push(tokio::spawn(isolation::within(isolation, async move {
            let txn = conn.begin().await.expect("begin");
            let in_txn = outbox::Entity::find().count(&txn).await.expect("count");
            txn.rollback().await.expect("rollback");
            (visible(&conn).await, in_txn, expected)
        })));
    }
    for task in tasks {
        let (seen, in_txn, expected) = task.await.expect("task");
        assert_eq!((seen, in_txn), (expected, expected));
    }

    // Work a request spawns keeps the request's tenant.
    let spawned = isolation::within(Isolation::Tenant(b), async {
        let conn = conn.clone();
        isolation::spawn(async move { visible(&conn).await }).await.expect("spawned")
    })
    .await;
    assert_eq!(spawned, 2);

    // Writing another tenant's row is refused by the database itself.
    let refused = isolation::within(Isolation::Tenant(a), async {
        let txn = conn.begin().await.expect("begin");
        subgraph_kit::outbox::enqueue(&txn, b, None, "test.smuggled", json!({})).await
    })
    .await
    .expect_err("a row for another tenant");
    assert!(format!("{refused:?}").contains("row-level security"), "{refused:?}");
    assert_eq!(visible(&conn).await, 5);
}

/// A resolver that forgets its tenant filter entirely.
struct Unfiltered;

#[async_graphql::Object]
impl Unfiltered {
    /// Every outbox row the database shows this request.
    async fn visible(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<u64> {
        Ok(outbox::Entity::find().count(&subgraph_kit::graphql::kit(ctx)?.db).await?)
    }
}

struct UnfilteredFeed;

#[async_graphql::Subscription]
impl UnfilteredFeed {
    /// The same count, once, over a WebSocket.
    async fn visible(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<impl futures::Stream<Item = u64> + use<>> {
        let db = subgraph_kit::graphql::kit(ctx)?.db.clone();
        Ok(futures::stream::once(async move { outbox::Entity::find().count(&db).await.unwrap_or(u64::MAX) }))
    }
}

/// Seeds an active tenant with one active user and `rows` outbox rows;
/// returns the tenant and the user.
async fn tenant_with_rows(conn: &sea_orm::DatabaseConnection, rows: usize) -> (Uuid, Uuid) {
    use backbone_entities::tenancy::{tenant, user};
    use sea_orm::{ActiveModelTrait, Set};
    let (t, u, now) = (Uuid::now_v7(), Uuid::now_v7(), chrono::Utc::now());
    tenant::ActiveModel {
        id: Set(t),
        name: Set(format!("t-{t}")),
        kind: Set(tenant::TenantType::Clinic),
        tier: Set(tenant::SubscriptionTier::Free),
        max_users: Set(10),
        ai_token_budget: Set(0),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .expect("tenant");
    user::ActiveModel {
        id: Set(u),
        tenant_id: Set(t),
        email: Set(format!("{u}@example.test")),
        display_name: Set("Asha".into()),
        status: Set(user::UserStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .expect("user");
    let txn = conn.begin().await.expect("begin");
    for _ in 0..rows {
        subgraph_kit::outbox::enqueue(&txn, t, None, "test.row", json!({})).await.expect("enqueue");
    }
    db::commit(txn).await.expect("commit");
    (t, u)
}

/// Over HTTP and over a WebSocket, a request is held to its caller's tenant
/// by the database even when the resolver filters nothing; an anonymous one
/// sees nothing; a platform operator sees everything.
#[tokio::test]
async fn requests_are_held_to_their_callers_tenant_even_without_a_filter() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    let app = subgraph_kit::testkit::TestApp::start_on_postgres(|kit| {
        let schema = subgraph_kit::graphql::configure(
            async_graphql::Schema::build(Unfiltered, async_graphql::EmptyMutation, UnfilteredFeed),
            kit,
        )
        .finish();
        subgraph_kit::graphql::routes(schema, kit.clone())
    })
    .await
    .expect("app");
    let (a, user_a) = tenant_with_rows(&app.kit.db, 3).await;
    let (b, user_b) = tenant_with_rows(&app.kit.db, 2).await;
    let (token_a, token_b) = (app.token(a, user_a, &["staff"]), app.token(b, user_b, &["staff"]));

    let visible = |token: Option<String>| {
        let app = &app;
        async move {
            let answer = app.gql(token.as_deref(), "{ visible }", json!({})).await.expect("answer");
            answer["data"]["visible"].as_u64().unwrap_or_else(|| panic!("{answer}"))
        }
    };
    assert_eq!(visible(Some(token_a.clone())).await, 3);
    assert_eq!(visible(Some(token_b)).await, 2);
    assert_eq!(visible(None).await, 0);
    assert_eq!(visible(Some(app.platform_token())).await, 5);

    for (init, expected) in [(json!({"token": token_a}), 3), (json!({}), 0)] {
        let mut request = format!("ws://{}/graphql", app.addr).into_client_request().expect("request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("protocol"));
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
        for message in [
            json!({"type": "connection_init", "payload": init}),
            json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { visible }"}}),
        ] {
            ws.send(Message::Text(message.to_string().into())).await.expect("send");
        }
        let next = loop {
            let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
                .await
                .expect("in time")
                .expect("open")
                .expect("frame");
            if let Message::Text(text) = frame {
                let v: serde_json::Value = serde_json::from_str(&text).expect("json");
                if v["type"] == "next" {
                    break v;
                }
            }
        };
        assert_eq!(next["payload"]["data"]["visible"], expected, "{next}");
    }
}
