//! A subscriber of tenant B never receives tenant A's events, whatever it
//! subscribes to.

use std::time::Duration;

use backbone::seed;
use serde_json::json;
use subgraph_kit::testkit::error_codes;

use super::scene::{Scene, WITHIN, eventually, token_for};

#[tokio::test]
async fn tenant_b_subscribers_see_nothing_of_tenant_a() {
    let scene = Scene::start().await;
    scene.team("Front desk", &["staff"], Some("billing")).await;
    let (tenant_b, users_b) =
        seed::seed_tenant(&scene.graph.kit, "Other Clinic", "other").await.expect("seed B");
    let token_b = |role: &str| {
        let user = users_b.iter().find(|u| u.role == role).expect("user").id;
        json!({"Authorization": format!("Bearer {}", token_for(&scene.graph, tenant_b, user, role))})
    };
    let connect = |role: &str| {
        let payload = token_b(role);
        let url = scene.ws_url();
        async move {
            backbone::wsclient::WsClient::connect(&url, "graphql-transport-ws", payload)
                .await
                .expect("connect B")
        }
    };
    let a_complaint = scene.file("patient", "billing", "NORMAL").await;

    // Tenant B subscribes to everything it can name.
    let mut b_staff = connect("staff").await;
    b_staff
        .subscribe("all", "subscription { complaintStatusChanged { to complaint { id } } }", json!({}))
        .await
        .expect("s");
    b_staff
        .subscribe("queue", "subscription { complaintStatusChanged(queue: true) { to } }", json!({}))
        .await
        .expect("s");
    let mut b_admin = connect("tenant_admin").await;
    b_admin
        .subscribe("inbox", "subscription { notificationReceived { title } }", json!({}))
        .await
        .expect("s");
    b_admin
        .subscribe("metrics", "subscription { liveMetrics(intervalSeconds: 1) { tenantId openComplaints unreadNotifications } }", json!({}))
        .await
        .expect("s");
    // Naming A's complaint is NOT_FOUND, as if it did not exist.
    let mut b_probe = connect("staff").await;
    b_probe
        .subscribe(
            "probe",
            "subscription($id: ID!) { complaintStatusChanged(complaintId: $id) { to } }",
            json!({"id": a_complaint}),
        )
        .await
        .expect("s");
    let probe = b_probe.next(WITHIN).await.expect("probe answer");
    assert_eq!(error_codes(&probe["payload"]), ["NOT_FOUND"], "{probe}");
    assert_eq!(b_probe.next(WITHIN).await.expect("complete")["type"], "complete");

    // Tenant A's control subscriber proves events flow.
    let mut a_staff = scene.ws(Some("staff"), "graphql-transport-ws").await;
    a_staff.subscribe("all", "subscription { complaintStatusChanged { to } }", json!({})).await.expect("s");
    eventually(WITHIN, "feeds open", || async { scene.graph.realtime.feeds.open() == 5 }).await;
    for status in ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"] {
        scene.set_status("staff", &a_complaint, status).await;
        let got = a_staff.next(WITHIN).await.expect("A sees its own event");
        assert_eq!(got["payload"]["data"]["complaintStatusChanged"]["to"], status);
    }
    eventually(WITHIN, "A's reporter notified", || async {
        scene.ok(Some("patient"), "{ unreadNotificationCount }", json!({})).await["unreadNotificationCount"]
            == 3
    })
    .await;

    let nothing = b_staff.next(Duration::from_millis(500)).await;
    assert!(nothing.is_err(), "B's staff received {nothing:?}");
    // B's admin gets only metrics ticks, all about B.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(2500);
    let mut ticks = 0;
    while let Ok(m) = b_admin.next(deadline - tokio::time::Instant::now()).await {
        assert_eq!(m["id"], "metrics", "B's inbox received {m}");
        let metrics = &m["payload"]["data"]["liveMetrics"];
        assert_eq!(metrics["tenantId"], tenant_b.to_string());
        assert_eq!(metrics["openComplaints"], 0);
        assert_eq!(metrics["unreadNotifications"], 0);
        ticks += 1;
    }
    assert!(ticks >= 2, "metrics kept ticking ({ticks})");
}
