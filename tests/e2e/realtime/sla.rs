//! An SLA breach under a short policy escalates; the new assignee's inbox
//! subscriber and a webhook receiver (signature checked) both hear of it.

use std::sync::{Arc, Mutex};

use axum::{body::Bytes, http::HeaderMap, routing::post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::scene::{Scene, WITHIN, eventually};

/// What the webhook receiver got: headers and body of each POST.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook receiver that fails its first request with 500.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let mut list = sink.lock().expect("lock");
                list.push((headers, body));
                if list.len() == 1 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let ts = headers["x-backbone-timestamp"].to_str().expect("timestamp");
    let given = headers["x-backbone-signature"].to_str().expect("signature");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{ts}.").as_bytes());
    mac.update(body);
    given == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_missed_first_response_escalates_and_notifies_inbox_and_webhook() {
    let (url, received) = receiver().await;
    // The hook receiver runs on 127.0.0.1: trusted by name, as an
    // on-premises install lists its own.
    let host = url.trim_start_matches("http://").trim_end_matches("/hook").to_owned();
    let scene = Scene::start_with(
        |c| {
            super::scene::fast(c);
            c.outbound.allow_internal.push(host);
        },
        Default::default(),
    )
    .await;
    scene.team("Front desk", &["staff"], Some("billing")).await;
    let supervisors = scene.team("Supervisors", &["tenant_admin"], None).await;
    let policy = scene
        .ok(
            Some("tenant_admin"),
            "mutation($i: SlaPolicyInput!) { setSlaPolicy(input: $i) { priority firstResponseSeconds ladder } }",
            json!({"i": {"priority": "URGENT", "firstResponseSeconds": 1, "resolutionSeconds": 3600, "escalationSeconds": 3600, "ladder": [supervisors]}}),
        )
        .await;
    assert_eq!(policy["setSlaPolicy"]["ladder"], json!([supervisors]));

    let registered = scene
        .ok(
            Some("tenant_admin"),
            "mutation($u: String!) { registerNotificationEndpoint(channel: WEBHOOK, target: $u, tenantWide: true) { secret endpoint { tenantWide } } }",
            json!({"u": url}),
        )
        .await;
    let secret = registered["registerNotificationEndpoint"]["secret"].as_str().expect("secret").to_owned();

    let mut inbox = scene.ws(Some("tenant_admin"), "graphql-transport-ws").await;
    inbox
        .subscribe(
            "n",
            "subscription { notificationReceived { id title critical category data } }",
            json!({}),
        )
        .await
        .expect("subscribe");
    eventually(WITHIN, "inbox feed open", || async { scene.graph.realtime.feeds.open() == 1 }).await;

    let id = scene.file("patient", "billing", "URGENT").await;
    // Nobody responds: within a second and a tick the engine breaches and
    // escalates to the supervisors' team.
    let pushed = inbox.next(WITHIN).await.expect("escalation notification");
    let n = &pushed["payload"]["data"]["notificationReceived"];
    assert!(n["title"].as_str().expect("title").contains("escalated to level 1"), "{pushed}");
    assert_eq!(n["critical"], true);
    assert_eq!(n["category"], "complaints");
    assert_eq!(n["data"]["complaintId"], id);

    let c = scene
        .ok(
            Some("staff"),
            "query($id: ID!) { complaint(id: $id) { escalationLevel firstResponseBreached assignee { id } timeline { nodes { kind } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(c["complaint"]["escalationLevel"], 1);
    assert_eq!(c["complaint"]["firstResponseBreached"], true);
    assert_eq!(c["complaint"]["assignee"]["id"], scene.user("tenant_admin").to_string());
    let kinds: Vec<&str> = c["complaint"]["timeline"]["nodes"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"SLA_BREACH") && kinds.contains(&"ESCALATION"), "{kinds:?}");

    // The webhook got every notification of the tenant, each signed; the
    // first attempt was refused with 500 and retried.
    eventually(WITHIN, "webhook deliveries", || async {
        received
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, b)| String::from_utf8_lossy(b).contains("escalated"))
            .count()
            == 1
    })
    .await;
    let got = received.lock().expect("lock").clone();
    for (headers, body) in &got {
        assert!(verify(&secret, headers, body), "signature of {}", String::from_utf8_lossy(body));
        assert!(!verify("whsec_wrong", headers, body));
    }
    let escalated: Value = got
        .iter()
        .map(|(_, b)| serde_json::from_slice::<Value>(b).expect("json"))
        .find(|v| v["title"].as_str().is_some_and(|t| t.contains("escalated")))
        .expect("escalation delivered");
    assert_eq!(escalated["userId"], scene.user("tenant_admin").to_string());
    assert_eq!(escalated["channel"], "webhook");

    let notification = n["id"].as_str().expect("id");
    let deliveries = || {
        scene.ok(
            Some("tenant_admin"),
            "query($n: ID!) { notificationDeliveries(notificationId: $n) { nodes { status attempts channel } } }",
            json!({"n": notification}),
        )
    };
    // The receiver has the webhook; the sender marks it delivered once the
    // answer is back, a moment later.
    eventually(WITHIN, "the delivery marked delivered", || async {
        deliveries().await["notificationDeliveries"]["nodes"][0]["status"] == "DELIVERED"
    })
    .await;
    // The very first request was refused with 500: that delivery was
    // retried and delivered on its second attempt.
    use backbone_entities::notifications::delivery;
    use sea_orm::EntityTrait;
    let all = || delivery::Entity::find().all(&scene.graph.kit.db);
    eventually(WITHIN, "every delivery marked delivered", || async {
        all().await.expect("deliveries").iter().all(|d| d.status == delivery::DeliveryStatus::Delivered)
    })
    .await;
    let rows = all().await.expect("deliveries");
    let retried: Vec<_> = rows.iter().filter(|d| d.attempts == 2).collect();
    assert_eq!(retried.len(), 1, "{rows:?}");
    assert_eq!(got.len(), rows.len() + 1, "one request per delivery plus the refused one");
}
