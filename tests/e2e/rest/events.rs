//! `GET /v1/events`: a caller's events as Server-Sent Events through the
//! router, filtered by tenant and permission like the GraphQL
//! subscriptions, and resumed with `Last-Event-ID` after a disconnect
//! without losing what happened meanwhile.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::{code, send};
use crate::realtime::scene::{Scene, WITHIN, eventually, token_for};

/// One server-sent event.
#[derive(Debug)]
struct SseEvent {
    event: String,
    id: Option<String>,
    data: Value,
}

/// Reads server-sent events off a streaming response.
struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    async fn open(scene: &Scene, token: &str, query: &str, last_event_id: Option<&str>) -> Self {
        let mut request = scene
            .http
            .get(format!("http://{}/v1/events{query}", scene.graph.front))
            .bearer_auth(token)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("events");
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().expect("type").starts_with("text/event-stream"));
        Self { response, buffer: String::new() }
    }

    /// The next event (keepalive comments skipped), or `None` after `within`.
    async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut id, mut data) = (String::from("message"), None, String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !data.is_empty() {
                    return Some(SseEvent {
                        event,
                        id,
                        data: serde_json::from_str(&data).expect("JSON data"),
                    });
                }
            }
            let chunk =
                tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.expect("chunk")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

async fn feeds_open(scene: &Scene, n: usize) {
    eventually(WITHIN, "the event feeds are open", || async { scene.graph.realtime.feeds.open() >= n }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_reporter_streams_their_complaints_events_and_resumes_after_a_disconnect() {
    let scene = Scene::start().await;
    let complaint = scene.file("patient", "billing", "NORMAL").await;
    let (tenant_b, users_b) =
        backbone::seed::seed_tenant(&scene.graph.kit, "Other Clinic", "other").await.expect("seed B");
    let admin_b = users_b.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
    let token_b = token_for(&scene.graph, tenant_b, admin_b, "tenant_admin");

    let mut mine = SseReader::open(&scene, &scene.token("patient"), "?types=complaint", None).await;
    let mut theirs = SseReader::open(&scene, &token_b, "?types=complaint,notification", None).await;
    feeds_open(&scene, 3).await;
    scene.set_status("staff", &complaint, "ACKNOWLEDGED").await;
    let first = mine.next(WITHIN).await.expect("the acknowledgement");
    assert_eq!(first.event, "complaint");
    assert_eq!(first.data["to"], "ACKNOWLEDGED", "{first:?}");
    assert_eq!(first.data["complaint"]["id"], complaint);
    let first_id = first.id.clone().expect("an event id");
    assert_eq!(first.data["eventId"], first_id.as_str());

    // Away: two changes happen while the reporter is disconnected.
    drop(mine);
    scene.set_status("staff", &complaint, "IN_PROGRESS").await;
    scene.set_status("staff", &complaint, "RESOLVED").await;
    let mut resumed =
        SseReader::open(&scene, &scene.token("patient"), "?types=complaint", Some(&first_id)).await;
    let mut seen = Vec::new();
    while let Some(e) = resumed.next(Duration::from_secs(2)).await {
        seen.push(e.data["to"].as_str().unwrap_or_default().to_owned());
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen, ["IN_PROGRESS", "RESOLVED"], "what happened meanwhile, in order, without the one seen");

    // Nothing of tenant A reached tenant B's stream.
    assert!(theirs.next(Duration::from_millis(500)).await.is_none());
}

#[tokio::test]
async fn events_need_a_caller_and_known_types() {
    let scene = Scene::start().await;
    let (status, body) = send(&scene, Method::GET, "/v1/events", None, None, &[]).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    let token = scene.token("patient");
    let (status, body) =
        send(&scene, Method::GET, "/v1/events?types=complaint,gossip", Some(&token), None, &[]).await;
    assert_eq!((status, code(&body)), (400, "BAD_USER_INPUT"), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("gossip")), "{body}");
    let (status, body) =
        send(&scene, Method::GET, "/v1/events?types=complaint", Some("not.a.token"), None, &[]).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
}
