//! `appointmentUpdated` over the subgraph's WebSocket: each change pushed
//! to who may see it, nothing to another tenant.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use subgraph_kit::testkit::data;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use super::support::{Clinic, day_at_ten};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(clinic: &Clinic, token: &str) -> Socket {
    let mut request = format!("ws://{}/graphql", clinic.app.addr).into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("protocol"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
    let init = json!({"type": "connection_init", "payload": {"token": token}});
    ws.send(Message::Text(init.to_string().into())).await.expect("init");
    assert_eq!(next(&mut ws, 5).await.expect("ack")["type"], "connection_ack");
    let q = "subscription { appointmentUpdated { from appointment { id status } } }";
    let sub = json!({"id": "1", "type": "subscribe", "payload": {"query": q}});
    ws.send(Message::Text(sub.to_string().into())).await.expect("subscribe");
    ws
}

/// The next message other than a keepalive, or `None` after `secs`.
async fn next(ws: &mut Socket, secs: u64) -> Option<Value> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(secs), ws.next()).await.ok()??.ok()?;
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).ok()?;
            if v["type"] != "ka" && v["type"] != "ping" {
                return Some(v);
            }
        }
    }
}

#[tokio::test]
async fn every_change_reaches_the_patient_and_nothing_reaches_another_tenant() {
    let clinic = Clinic::start().await;
    let _relay = tokio::spawn(clinic.app.kit.relay().run(std::future::pending()));
    let (_, _, service) = clinic.clinician_and_room().await;
    let (other, users) = clinic.other_tenant().await;
    let mut patient = subscribe(&clinic, &clinic.token("patient")).await;
    let mut stranger =
        subscribe(&clinic, &clinic.app.token(other, users["tenant_admin"], &["tenant_admin"])).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let booked = data(
        clinic
            .book("patient", json!({"serviceId": service, "startsAt": day_at_ten(2), "timeZone": "UTC"}))
            .await,
    );
    let id = booked["bookAppointment"]["id"].as_str().expect("id").to_owned();
    let cancel = "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"cannot come\") { status } }";
    clinic.ok("patient", cancel, json!({"id": id})).await;

    for (from, status) in [(Value::Null, "SCHEDULED"), (json!("SCHEDULED"), "CANCELLED")] {
        let m = next(&mut patient, 5).await.expect("event");
        assert_eq!(m["type"], "next", "{m}");
        let u = &m["payload"]["data"]["appointmentUpdated"];
        assert_eq!(
            (&u["from"], u["appointment"]["status"].as_str(), u["appointment"]["id"].as_str()),
            (&from, Some(status), Some(id.as_str()))
        );
    }
    assert_eq!(next(&mut stranger, 1).await, None, "another tenant's subscriber sees nothing");
}
