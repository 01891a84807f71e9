//! Deliveries: quiet hours, retries with backoff to failure, email over a
//! real SMTP conversation, endpoint validation.

use std::sync::{Arc, Mutex};

use axum::{http::StatusCode, routing::post};
use backbone_entities::notifications::{delivery, endpoint};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::json;
use subgraph_kit::testkit::error_codes;
use subgraph_notifications::domain::delivery::pass;
use subgraph_notifications::{Notifications, config::NotificationsConfig, domain::DeliveryStatus as Status};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::support::Post;

/// An HTTP receiver answering `status`, counting requests of any method.
async fn receiver(status: StatusCode) -> (String, Arc<Mutex<usize>>) {
    let hits = Arc::new(Mutex::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::any(move || {
            let counter = counter.clone();
            async move {
                *counter.lock().expect("lock") += 1;
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

/// Trusts the receiver at `url` (on 127.0.0.1, so internal) and only it,
/// as an on-premises install would list its own hook receiver.
fn trusting(url: &str) -> impl FnOnce(&mut subgraph_kit::config::Config) + use<> {
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    move |c| c.outbound.allow_internal.push(host)
}

async fn deliveries(post: &Post) -> Vec<delivery::Model> {
    delivery::Entity::find().all(&post.app.kit.db).await.expect("deliveries")
}

/// The delivery worker's guard, as the worker builds it.
fn outbound(post: &Post) -> subgraph_kit::outbound::Outbound {
    subgraph_notifications::domain::delivery::outbound(&post.app.kit.config, &settings(&post.app.kit))
}

/// Changes the `[notifications]` table of a test's config.
fn tune(config: &mut subgraph_kit::config::Config, change: impl FnOnce(&mut NotificationsConfig)) {
    config.sections.update(subgraph_notifications::NAME, change).expect("notifications table");
}

/// The subgraph's `[notifications]` table, as its worker reads it.
fn settings(kit: &subgraph_kit::Kit) -> NotificationsConfig {
    <Notifications as subgraph_kit::subgraph::Subgraph>::settings(kit)
}

#[tokio::test]
async fn quiet_hours_hold_sms_until_they_end_but_not_critical_news() {
    let (url, hits) = receiver(StatusCode::OK).await;
    let post = Post::start_with(trusting(&url)).await;
    post.endpoint("staff", "SMS", &url).await;
    let (start, end) = (
        (Utc::now() - Duration::hours(1)).format("%H:%M").to_string(),
        (Utc::now() + Duration::hours(1)).format("%H:%M").to_string(),
    );
    post.ok("staff", "mutation($s: String, $e: String) { setQuietHours(start: $s, end: $e, timeZone: \"UTC\") { start end timeZone } }", json!({"s": start, "e": end})).await;

    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    post.handle(&post.event("complaint.escalated", "staff", true)).await;
    let config = settings(&post.app.kit);
    assert_eq!(
        pass(&post.app.kit.db, &outbound(&post), &config, Utc::now()).await.expect("pass"),
        1,
        "only the critical one goes now"
    );
    assert_eq!(*hits.lock().expect("lock"), 1);
    let rows = deliveries(&post).await;
    let held = rows.iter().find(|d| d.status == Status::Pending).expect("held delivery");
    let until = held.next_attempt_at.expect("held until");
    assert!(
        until > Utc::now() + Duration::minutes(50) && until <= Utc::now() + Duration::minutes(61),
        "held until {until}"
    );
    // When quiet hours end, it goes.
    assert_eq!(
        pass(&post.app.kit.db, &outbound(&post), &config, until + Duration::seconds(1)).await.expect("pass"),
        1
    );
    assert!(deliveries(&post).await.iter().all(|d| d.status == Status::Delivered));
}

#[tokio::test]
async fn failing_endpoints_are_retried_with_backoff_then_marked_failed() {
    let (url, hits) = receiver(StatusCode::SERVICE_UNAVAILABLE).await;
    let post = Post::start_with(|c| {
        tune(c, |n| {
            n.max_attempts = 3;
            n.retry_base_ms = 60_000;
        });
        trusting(&url)(c);
    })
    .await;
    post.endpoint("staff", "WEBHOOK", &url).await;
    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    let (db, config) = (&post.app.kit.db, settings(&post.app.kit));

    assert_eq!(pass(db, &outbound(&post), &config, Utc::now()).await.expect("pass"), 1);
    let d = deliveries(&post).await.remove(0);
    assert_eq!((d.status, d.attempts, d.last_status_code), (Status::Pending, 1, Some(503)));
    let first_wait = d.next_attempt_at.expect("next") - Utc::now();
    assert!(first_wait > Duration::seconds(50) && first_wait <= Duration::seconds(60), "{first_wait}");
    assert_eq!(
        pass(db, &outbound(&post), &config, Utc::now()).await.expect("pass"),
        0,
        "not before the backoff"
    );

    assert_eq!(
        pass(db, &outbound(&post), &config, Utc::now() + Duration::seconds(61)).await.expect("pass"),
        1
    );
    let d = deliveries(&post).await.remove(0);
    let second_wait = d.next_attempt_at.expect("next") - Utc::now();
    assert!(second_wait > Duration::seconds(110), "the wait doubles: {second_wait}");

    assert_eq!(
        pass(db, &outbound(&post), &config, Utc::now() + Duration::seconds(200)).await.expect("pass"),
        1
    );
    let d = deliveries(&post).await.remove(0);
    assert_eq!((d.status, d.attempts, d.next_attempt_at), (Status::Failed, 3, None));
    assert_eq!(d.last_error.as_deref(), Some("endpoint answered 503"));
    assert_eq!(*hits.lock().expect("lock"), 3);

    let n = post.ok("staff", "{ notifications { nodes { id } } }", json!({})).await["notifications"]["nodes"]
        [0]["id"]
        .clone();
    let status = post.ok("staff", "query($n: ID!) { notificationDeliveries(notificationId: $n) { nodes { status attempts lastStatusCode channel } } }", json!({"n": n})).await;
    assert_eq!(
        status["notificationDeliveries"]["nodes"],
        json!([{"status": "FAILED", "attempts": 3, "lastStatusCode": 503, "channel": "WEBHOOK"}])
    );
}

/// A minimal SMTP server: accepts one message and hands back its DATA.
async fn smtp_server() -> (u16, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accept");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 test ESMTP\r\n").await.expect("greet");
        let (mut data, mut in_data) = (String::new(), false);
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.expect("write");
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 test\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.expect("write");
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.expect("write");
        }
        let _ = tx.send(data);
    });
    (port, rx)
}

#[tokio::test]
async fn email_goes_out_over_smtp_when_configured_and_fails_clearly_when_not() {
    let (port, received) = smtp_server().await;
    let post = Post::start_with(|c| {
        tune(c, |n| {
            n.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
            n.email_from = "alerts@backbone.test".into();
        });
    })
    .await;
    post.endpoint("staff", "EMAIL", "staff@demo.backbone.dev").await;
    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    let config = settings(&post.app.kit);
    assert_eq!(pass(&post.app.kit.db, &outbound(&post), &config, Utc::now()).await.expect("pass"), 1);
    let mail = tokio::time::timeout(std::time::Duration::from_secs(5), received)
        .await
        .expect("in time")
        .expect("mail");
    assert!(mail.contains("Subject: Complaint C-TEST1-23456 assigned to you"), "{mail}");
    assert!(mail.contains("To: staff@demo.backbone.dev"), "{mail}");
    assert_eq!(deliveries(&post).await[0].status, Status::Delivered);

    let unconfigured = Post::start().await;
    unconfigured.endpoint("staff", "EMAIL", "staff@demo.backbone.dev").await;
    unconfigured.handle(&unconfigured.event("complaint.assigned", "staff", false)).await;
    let mut config = settings(&unconfigured.app.kit);
    config.max_attempts = 1;
    pass(&unconfigured.app.kit.db, &outbound(&unconfigured), &config, Utc::now()).await.expect("pass");
    let d = deliveries(&unconfigured).await.remove(0);
    assert_eq!(d.status, Status::Failed);
    assert_eq!(d.last_error.as_deref(), Some("email is not configured (notifications.smtp_url)"));
}

#[tokio::test]
async fn endpoints_are_validated_and_tenant_wide_ones_need_manage() {
    let post = Post::start_with(trusting("http://127.0.0.1:9/")).await;
    let register = "mutation($c: Channel!, $t: String!, $w: Boolean!) { registerNotificationEndpoint(channel: $c, target: $t, tenantWide: $w) { secret } }";
    let long_url = format!("http://127.0.0.1:9/{}", "a".repeat(2_048));
    for (channel, target) in [
        ("WEBHOOK", "not a url"),
        ("WEBHOOK", "ftp://example.com"),
        ("WEBHOOK", long_url.as_str()),
        ("EMAIL", "nobody"),
        ("IN_APP", "http://x"),
    ] {
        let r = post.gql("staff", register, json!({"c": channel, "t": target, "w": false})).await;
        assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{channel} {target}");
    }
    let wide =
        post.gql("staff", register, json!({"c": "WEBHOOK", "t": "http://127.0.0.1:9/", "w": true})).await;
    assert_eq!(error_codes(&wide), ["FORBIDDEN"]);
    let ok = post
        .ok("tenant_admin", register, json!({"c": "WEBHOOK", "t": "http://127.0.0.1:9/", "w": true}))
        .await;
    assert!(ok["registerNotificationEndpoint"]["secret"].as_str().expect("secret").starts_with("whsec_"));
    let listed =
        post.ok("tenant_admin", "{ notificationEndpoints { nodes { tenantWide target } } }", json!({})).await;
    assert_eq!(
        listed["notificationEndpoints"]["nodes"],
        json!([{"tenantWide": true, "target": "http://127.0.0.1:9/"}])
    );
    let hidden = post.ok("staff", "{ notificationEndpoints { nodes { target } } }", json!({})).await;
    assert_eq!(hidden["notificationEndpoints"]["nodes"], json!([]), "staff see only their own");
    let bad_hours = post
        .gql("staff", "mutation { setQuietHours(start: \"25:00\", end: \"07:00\") { start } }", json!({}))
        .await;
    assert_eq!(error_codes(&bad_hours), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn each_channel_renders_its_own_template() {
    let got: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/",
        post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().expect("lock").push(body);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let office = Post::start_with(trusting(&url)).await;
    office.endpoint("staff", "WEBHOOK", &url).await;
    office.ok(
        "tenant_admin",
        "mutation { setNotificationTemplate(eventType: \"complaint.assigned\", channel: WEBHOOK, subject: \"[hook] {{trackingCode}}\", body: \"priority={{priority}}\") }",
        json!({}),
    )
    .await;
    office.handle(&office.event("complaint.assigned", "staff", false)).await;
    let config = settings(&office.app.kit);
    assert_eq!(pass(&office.app.kit.db, &outbound(&office), &config, Utc::now()).await.expect("pass"), 1);
    let sent = got.lock().expect("lock").clone();
    assert_eq!(
        (sent[0]["title"].clone(), sent[0]["body"].clone()),
        (json!("[hook] C-TEST1-23456"), json!("priority=high"))
    );
    // The inbox keeps the in-app text.
    let inbox = office.ok("staff", "{ notifications { nodes { title } } }", json!({})).await;
    assert_eq!(inbox["notifications"]["nodes"][0]["title"], "Complaint C-TEST1-23456 assigned to you");
}

/// Webhook-style endpoints never reach inside the network: refused when
/// registered, checked again before each attempt (a row from before the
/// rule, or a name re-pointed inside), and redirects are not followed. The
/// listener on 127.0.0.1 must receive nothing.
#[tokio::test]
async fn endpoints_inside_the_network_are_refused_and_never_called() {
    let (inside, hits) = receiver(StatusCode::OK).await;
    let redirector = {
        let to = inside.clone();
        let app = axum::Router::new().route(
            "/",
            post(move || {
                let to = to.clone();
                async move { (StatusCode::FOUND, [(axum::http::header::LOCATION, to)]) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    };
    let post = Post::start_with(|c| c.outbound.allow_internal = vec![redirector.to_string()]).await;
    let register = "mutation($c: Channel!, $t: String!) { registerNotificationEndpoint(channel: $c, target: $t) { endpoint { id } } }";
    for target in [
        inside.as_str(),
        "http://localhost:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://192.168.0.1:8080/hook",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://0.0.0.0:9/",
        "http://[fd00:ec2::254]/",
        "http://2130706433/",
    ] {
        for channel in ["WEBHOOK", "SMS", "PUSH"] {
            let r = post.gql("staff", register, json!({"c": channel, "t": target})).await;
            assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{channel} {target}: {r}");
        }
    }
    assert!(endpoint::Entity::find().all(&post.app.kit.db).await.expect("rows").is_empty());

    // An allowed host that redirects inside, and a row written before the
    // rule existed.
    post.endpoint("staff", "WEBHOOK", &format!("http://{redirector}/")).await;
    let old = post.endpoint("staff", "WEBHOOK", &format!("http://{redirector}/")).await.0;
    let mut row: endpoint::ActiveModel =
        endpoint::Entity::find_by_id(uuid::Uuid::parse_str(&old).expect("id"))
            .one(&post.app.kit.db)
            .await
            .expect("read")
            .expect("row")
            .into();
    row.target = Set(inside.clone());
    row.update(&post.app.kit.db).await.expect("update");

    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    let config = settings(&post.app.kit);
    assert_eq!(pass(&post.app.kit.db, &outbound(&post), &config, Utc::now()).await.expect("pass"), 2);
    assert_eq!(*hits.lock().expect("lock"), 0, "nothing reached the listener inside");
    let rows = deliveries(&post).await;
    assert!(rows.iter().all(|d| d.status == Status::Pending && d.attempts == 1), "{rows:?}");
    let errors: Vec<_> = rows.iter().map(|d| (d.last_status_code, d.last_error.clone())).collect();
    assert!(errors.contains(&(Some(302), Some("endpoint answered 302".into()))), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|(code, e)| code.is_none() && e.as_deref().is_some_and(|e| e.contains("internal address"))),
        "{errors:?}"
    );
}

/// Aborting the subgraph's workers (a graph stopped in place, as
/// `DevGraph::stop` does) stops its delivery worker too: a delivery that
/// falls due afterwards is never attempted.
#[tokio::test]
async fn aborting_the_workers_stops_the_delivery_worker() {
    use futures::FutureExt;
    use subgraph_kit::subgraph::Subgraph;

    let (url, hits) = receiver(StatusCode::OK).await;
    let post = Post::start_with(|c| {
        tune(c, |n| n.delivery_tick_ms = 20);
        trusting(&url)(c);
    })
    .await;
    post.endpoint("staff", "WEBHOOK", &url).await;
    let never: subgraph_kit::subgraph::Shutdown = futures::future::pending::<()>().boxed().shared();
    let workers = Subgraph::workers(&subgraph_notifications::Notifications, &post.app.kit, never);

    // Running: a delivery goes out on the worker's own tick.
    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    for _ in 0..250 {
        if *hits.lock().expect("lock") > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(*hits.lock().expect("lock"), 1, "the running worker delivers");

    for worker in workers {
        worker.abort();
        let _ = worker.await;
    }
    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    // Fifty of the worker's ticks.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(*hits.lock().expect("lock"), 1, "a stopped worker delivered");
    let pending = deliveries(&post).await.into_iter().filter(|d| d.status == Status::Pending).count();
    assert_eq!(pending, 1, "the second delivery waits for the next worker");
}
