//! Status changes and live metrics reach subscribers through the router,
//! with fields resolved from other subgraphs.

use std::time::{Duration, Instant};

use serde_json::json;

use super::scene::{Scene, WITHIN, eventually};

const WATCH: &str = "subscription($id: ID!) {
  complaintStatusChanged(complaintId: $id) {
    from to
    complaint { trackingCode status assignee { id displayName email } }
  }
}";

#[tokio::test]
async fn an_acknowledged_complaint_reaches_its_subscribers_within_a_second_on_both_protocols() {
    let scene = Scene::start().await;
    scene.team("Front desk", &["staff"], Some("billing")).await;
    let id = scene.file("patient", "billing", "NORMAL").await;

    let mut modern = scene.ws(Some("staff"), "graphql-transport-ws").await;
    let mut legacy = scene.ws(Some("patient"), "graphql-ws").await;
    modern.subscribe("a", WATCH, json!({"id": id})).await.expect("subscribe");
    legacy.subscribe("b", WATCH, json!({"id": id})).await.expect("subscribe");
    // Both feeds open upstream before the change is made.
    eventually(WITHIN, "two open feeds", || async { scene.graph.realtime.feeds.open() == 2 }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let changed = scene.set_status("staff", &id, "ACKNOWLEDGED").await;
    assert_eq!(changed["data"]["changeComplaintStatus"]["status"], "ACKNOWLEDGED", "{changed}");

    let m = modern.next(Duration::from_secs(1)).await.expect("staff gets the change within 1 s");
    let elapsed = started.elapsed();
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(m["id"], "a");
    let change = &m["payload"]["data"]["complaintStatusChanged"];
    assert_eq!(change["from"], "SUBMITTED");
    assert_eq!(change["to"], "ACKNOWLEDGED");
    // The assignee's name and email come from the tenants subgraph.
    let assignee = &change["complaint"]["assignee"];
    assert_eq!(assignee["id"], scene.user("staff").to_string());
    assert_eq!(assignee["displayName"], "Demo staff");
    assert_eq!(assignee["email"], "staff@demo.backbone.dev");
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");

    let l = legacy.next(Duration::from_secs(1)).await.expect("reporter gets it too");
    assert_eq!(l["type"], "data", "legacy protocol frames results as data: {l}");
    assert_eq!(l["payload"]["data"]["complaintStatusChanged"]["to"], "ACKNOWLEDGED");
    // The reporter may not read other users: the assignee's name stays
    // hidden, the rest of the event is intact.
    let seen_by_reporter = &l["payload"]["data"]["complaintStatusChanged"]["complaint"];
    assert_eq!(seen_by_reporter["status"], "ACKNOWLEDGED");
    assert!(seen_by_reporter["assignee"]["displayName"].is_null(), "{l}");

    // Client closes → the subgraph subscription closes.
    modern.complete("a").await.expect("complete");
    legacy.close().await;
    eventually(WITHIN, "feeds closed", || async { scene.graph.realtime.feeds.open() == 0 }).await;
}

#[tokio::test]
async fn an_invalid_transition_is_bad_user_input_and_pushes_nothing() {
    let scene = Scene::start().await;
    let id = scene.file("patient", "billing", "NORMAL").await;
    let mut ws = scene.ws(Some("staff"), "graphql-transport-ws").await;
    ws.subscribe("1", WATCH, json!({"id": id})).await.expect("subscribe");
    eventually(WITHIN, "feed open", || async { scene.graph.realtime.feeds.open() == 1 }).await;
    let refused = scene.set_status("staff", &id, "RESOLVED").await;
    assert_eq!(subgraph_kit::testkit::error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    let quiet = ws.next(Duration::from_millis(700)).await;
    assert!(quiet.is_err(), "nothing is pushed for a refused change: {quiet:?}");
}

#[tokio::test]
async fn live_metrics_ticks_carry_fields_from_three_subgraphs() {
    let scene = Scene::start().await;
    scene.team("Front desk", &["staff"], Some("billing")).await;
    scene.file("patient", "billing", "NORMAL").await;
    scene.file("patient", "billing", "HIGH").await;
    // The routing assignment notifies staff; wait until both landed.
    eventually(WITHIN, "staff notified", || async {
        let n = scene.ok(Some("staff"), "{ unreadNotificationCount }", json!({})).await;
        n["unreadNotificationCount"] == 2
    })
    .await;

    let mut ws = scene.ws(Some("tenant_admin"), "graphql-transport-ws").await;
    let q = "subscription { liveMetrics(intervalSeconds: 1) { tenantId openComplaints slaBreaches unreadNotifications activeUsers at } }";
    ws.subscribe("m", q, json!({})).await.expect("subscribe");
    let first = ws.next(WITHIN).await.expect("first tick");
    let m = &first["payload"]["data"]["liveMetrics"];
    assert_eq!(m["tenantId"], scene.tenant.to_string(), "{first}");
    assert_eq!(m["openComplaints"], 2);
    assert_eq!(m["slaBreaches"], 0);
    assert_eq!(m["unreadNotifications"], 2, "from the notifications subgraph");
    assert_eq!(m["activeUsers"], 6, "from the tenants subgraph");

    scene.file("patient", "billing", "LOW").await;
    let mut seen = 2;
    for _ in 0..5 {
        let tick = ws.next(WITHIN).await.expect("tick");
        seen = tick["payload"]["data"]["liveMetrics"]["openComplaints"].as_i64().expect("count");
        if seen == 3 {
            break;
        }
    }
    assert_eq!(seen, 3, "a later tick shows the new complaint");
}
