//! The subgraph's own WebSocket endpoint: both protocols, the token in
//! `connection_init`, tenant filtering and keepalive pings.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use subgraph_kit::testkit::data;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use super::support::{Desk, complaint};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(desk: &Desk, protocol: &str, init: Value) -> Socket {
    let mut request = format!("ws://{}/graphql", desk.app.addr).into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-protocol", protocol.parse().expect("protocol"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
    ws.send(Message::Text(json!({"type": "connection_init", "payload": init}).to_string().into()))
        .await
        .expect("init");
    ws
}

/// The next text message, skipping `ka` keepalives.
async fn text(ws: &mut Socket) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).expect("json");
            if v["type"] != "ka" {
                return v;
            }
        }
    }
}

#[tokio::test]
async fn the_token_in_connection_init_is_verified_and_events_are_pushed() {
    let desk = Desk::start().await;
    let relay = tokio::spawn(desk.app.kit.relay().run(std::future::pending()));
    let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();

    let mut bad = open(&desk, "graphql-ws", json!({"token": "forged"})).await;
    let refused = text(&mut bad).await;
    assert_eq!(refused["type"], "connection_error", "{refused}");
    assert!(refused["payload"]["message"].as_str().expect("message").starts_with("UNAUTHENTICATED"));

    for protocol in ["graphql-ws", "graphql-transport-ws"] {
        let mut ws = open(&desk, protocol, json!({"token": desk.token("patient")})).await;
        assert_eq!(text(&mut ws).await["type"], "connection_ack");
        let start = if protocol == "graphql-ws" { "start" } else { "subscribe" };
        let q = "subscription($id: ID!) { complaintStatusChanged(complaintId: $id) { to complaint { trackingCode } } }";
        ws.send(Message::Text(
            json!({"id": "1", "type": start, "payload": {"query": q, "variables": {"id": id}}})
                .to_string()
                .into(),
        ))
        .await
        .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let next = if protocol == "graphql-ws" { ("ACKNOWLEDGED", "data") } else { ("IN_PROGRESS", "next") };
        let moved = desk
            .gql(Some("staff"), "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }", json!({"id": id, "s": next.0}))
            .await;
        assert!(moved.get("errors").is_none(), "{moved}");
        let pushed = text(&mut ws).await;
        assert_eq!(pushed["type"], next.1, "{pushed}");
        assert_eq!(pushed["payload"]["data"]["complaintStatusChanged"]["to"], next.0);
    }
    relay.abort();
}

#[tokio::test]
async fn idle_connections_get_keepalive_pings() {
    let desk = Desk::start_with(|c| c.realtime.keepalive_seconds = 1).await;
    // The interval runs from the connection's start, not from the ack (which
    // waits for the caller's standing to be checked).
    let started = std::time::Instant::now();
    let mut ws = open(&desk, "graphql-transport-ws", json!({"token": desk.token("staff")})).await;
    assert_eq!(text(&mut ws).await["type"], "connection_ack");
    let ping = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Ping(_))) => return true,
                Some(Ok(_)) => continue,
                _ => return false,
            }
        }
    })
    .await
    .expect("a ping in time");
    assert!(ping && started.elapsed() >= Duration::from_millis(900), "pinged after {:?}", started.elapsed());
}

/// Subscribes `ws` (graphql-transport-ws) to complaint `id`'s changes.
async fn watch(ws: &mut Socket, id: &str) {
    assert_eq!(text(ws).await["type"], "connection_ack");
    let q = "subscription($id: ID!) { complaintStatusChanged(complaintId: $id) { to } }";
    ws.send(Message::Text(
        json!({"id": "1", "type": "subscribe", "payload": {"query": q, "variables": {"id": id}}})
            .to_string()
            .into(),
    ))
    .await
    .expect("subscribe");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// A tenant admin's token that expires in `seconds`.
fn expiring_admin_token(desk: &Desk, seconds: i64) -> String {
    let auth = &desk.app.kit.config.auth;
    let claims = subgraph_kit::auth::claims_for(
        auth,
        desk.tenant,
        desk.user("tenant_admin"),
        &["tenant_admin"],
        seconds,
    );
    subgraph_kit::auth::mint_hs256(subgraph_kit::testkit::TEST_SECRET, &claims).expect("token")
}

/// The next message is a coded error instead of the event, then the
/// subscription completes.
async fn ends_unauthenticated(ws: &mut Socket) {
    let ended = text(ws).await;
    assert_eq!(ended["type"], "next", "{ended}");
    assert!(ended["payload"]["data"].is_null(), "not delivered: {ended}");
    assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{ended}");
    assert_eq!(text(ws).await["type"], "complete");
}

/// An open subscription is re-checked on every event: once its user is
/// deactivated, or its token has expired, the next event ends it with a
/// coded error instead of being delivered.
#[tokio::test]
async fn subscriptions_end_when_their_user_is_deactivated_or_their_token_expires() {
    use backbone_entities::tenancy::user;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let desk = Desk::start().await;
    let relay = tokio::spawn(desk.app.kit.relay().run(std::future::pending()));
    let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let change =
        "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }";

    // The staff member's subscription delivers, then they are deactivated
    // (as the tenants subgraph does: the row, then the grant cache).
    let mut staff = open(&desk, "graphql-transport-ws", json!({"token": desk.token("staff")})).await;
    watch(&mut staff, &id).await;
    desk.gql(Some("tenant_admin"), change, json!({"id": id, "s": "ACKNOWLEDGED"})).await;
    assert_eq!(text(&mut staff).await["payload"]["data"]["complaintStatusChanged"]["to"], "ACKNOWLEDGED");
    let row =
        user::Entity::find_by_id(desk.user("staff")).one(&desk.app.kit.db).await.expect("db").expect("user");
    let mut row: user::ActiveModel = row.into();
    row.status = Set(user::UserStatus::Deactivated);
    row.update(&desk.app.kit.db).await.expect("deactivate");
    desk.app.kit.rbac.invalidate_tenant(desk.tenant);
    desk.gql(Some("tenant_admin"), change, json!({"id": id, "s": "IN_PROGRESS"})).await;
    ends_unauthenticated(&mut staff).await;

    // A token that expires while the subscription is open.
    let mut admin =
        open(&desk, "graphql-transport-ws", json!({"token": expiring_admin_token(&desk, 2)})).await;
    watch(&mut admin, &id).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    desk.gql(Some("tenant_admin"), change, json!({"id": id, "s": "RESOLVED"})).await;
    ends_unauthenticated(&mut admin).await;

    relay.abort();
}

/// With no event at all, an expiring token still ends its subscription
/// within `realtime.recheck_seconds`.
#[tokio::test]
async fn a_quiet_subscription_ends_when_its_token_expires() {
    let desk = Desk::start_with(|c| c.realtime.recheck_seconds = 1).await;
    let filed = data(desk.file(Some("patient"), complaint("billing", "NORMAL")).await);
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();
    let mut quiet =
        open(&desk, "graphql-transport-ws", json!({"token": expiring_admin_token(&desk, 1)})).await;
    watch(&mut quiet, &id).await;
    ends_unauthenticated(&mut quiet).await;
}
