//! REST errors as an attacker and a careless client meet them: each with
//! its stable code and the HTTP status of docs/design.md §5, another
//! tenant's ids finding nothing, and `Idempotency-Key` replays.

use reqwest::Method;
use serde_json::json;

use super::{call, code, send};
use crate::realtime::scene::{Scene, token_for};

/// A request and the status and code it must get.
type Case = (Method, String, Option<&'static str>, Option<serde_json::Value>, u16, &'static str);

#[tokio::test]
async fn every_refusal_has_its_code_and_status() {
    let scene = Scene::start().await;
    let mine = scene.file("patient", "billing", "NORMAL").await;
    let cases: Vec<Case> = vec![
        (Method::GET, "/v1/profile/me".into(), None, None, 401, "UNAUTHENTICATED"),
        (Method::GET, "/v1/nowhere".into(), Some("patient"), None, 404, "NOT_FOUND"),
        (Method::DELETE, "/v1/profile/me".into(), Some("patient"), None, 405, "BAD_USER_INPUT"),
        (Method::GET, "/v1/complaints/not-a-uuid".into(), Some("staff"), None, 400, "BAD_USER_INPUT"),
        (
            Method::GET,
            format!("/v1/complaints/{}", uuid::Uuid::now_v7()),
            Some("staff"),
            None,
            404,
            "NOT_FOUND",
        ),
        (Method::GET, "/v1/complaints?first=many".into(), Some("staff"), None, 400, "BAD_USER_INPUT"),
        (Method::GET, "/v1/complaints?status=lost".into(), Some("staff"), None, 400, "BAD_USER_INPUT"),
        (Method::GET, "/v1/complaints?colour=red".into(), Some("staff"), None, 400, "BAD_USER_INPUT"),
        (Method::GET, "/v1/complaints?first=1&first=2".into(), Some("staff"), None, 400, "BAD_USER_INPUT"),
        (
            Method::POST,
            "/v1/complaints".into(),
            Some("patient"),
            Some(json!({"subject": 3})),
            400,
            "BAD_USER_INPUT",
        ),
        (
            Method::POST,
            "/v1/dsar-requests".into(),
            Some("patient"),
            Some(json!({"kind": "ACCESS", "x": 1})),
            400,
            "BAD_USER_INPUT",
        ),
        (Method::GET, "/v1/invoices".into(), Some("patient"), None, 403, "FORBIDDEN"),
        // Not theirs to see: it does not exist for them.
        (Method::GET, format!("/v1/complaints/{mine}"), Some("clinician"), None, 404, "NOT_FOUND"),
    ];
    for (method, path, role, body, status, expected) in cases {
        let (got, answer) = call(&scene, method.clone(), &path, role, body).await;
        assert_eq!((got, code(&answer)), (status, expected), "{method} {path}: {answer}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }

    // A refused token, and a body that is not JSON where JSON is expected.
    let (status, body) = send(&scene, Method::GET, "/v1/profile/me", Some("not.a.token"), None, &[]).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    let r = scene
        .http
        .post(format!("http://{}/v1/complaints", scene.graph.front))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);

    // Another tenant's admin finds nothing of this tenant's.
    let (tenant_b, users_b) =
        backbone::seed::seed_tenant(&scene.graph.kit, "Other Clinic", "other").await.expect("seed B");
    let admin_b = users_b.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
    let token_b = token_for(&scene.graph, tenant_b, admin_b, "tenant_admin");
    let (status, body) =
        send(&scene, Method::GET, &format!("/v1/complaints/{mine}"), Some(&token_b), None, &[]).await;
    assert_eq!((status, code(&body)), (404, "NOT_FOUND"), "{body}");
    assert!(!body.to_string().contains("Billed twice"), "{body}");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let scene = Scene::start().await;
    let token = scene.token("patient");
    let filing =
        json!({"category": "billing", "subject": "Charged twice", "description": "Twice in November."});
    let key = [("idempotency-key", "file-7f3a")];
    let (first_status, first) =
        send(&scene, Method::POST, "/v1/complaints", Some(&token), Some(filing.clone()), &key).await;
    assert_eq!(first_status, 201, "{first}");
    let (again_status, again) =
        send(&scene, Method::POST, "/v1/complaints", Some(&token), Some(filing.clone()), &key).await;
    assert_eq!((again_status, &again), (201, &first), "the first answer, again");
    let (_, list) = call(&scene, Method::GET, "/v1/complaints", Some("patient"), None).await;
    assert_eq!(list["nodes"].as_array().map(Vec::len), Some(1), "filed once: {list}");

    let mut other = filing.clone();
    other["subject"] = json!("Something else");
    let (status, body) = send(&scene, Method::POST, "/v1/complaints", Some(&token), Some(other), &key).await;
    assert_eq!((status, code(&body)), (409, "CONFLICT"), "{body}");
    assert_eq!(body["error"]["reason"], "IDEMPOTENCY_KEY_REUSED");

    // The same key from another caller is theirs: it runs.
    let staff = scene.token("staff");
    let (status, theirs) =
        send(&scene, Method::POST, "/v1/complaints", Some(&staff), Some(filing.clone()), &key).await;
    assert_eq!(status, 201, "{theirs}");
    assert_ne!(theirs["trackingCode"], first["trackingCode"]);

    // A refusal is kept too; without a key every request runs.
    let bad = json!({"category": "billing", "subject": "", "description": ""});
    let (s1, b1) = send(
        &scene,
        Method::POST,
        "/v1/complaints",
        Some(&token),
        Some(bad.clone()),
        &[("idempotency-key", "bad")],
    )
    .await;
    let (s2, b2) =
        send(&scene, Method::POST, "/v1/complaints", Some(&token), Some(bad), &[("idempotency-key", "bad")])
            .await;
    assert_eq!((s1, &b1), (s2, &b2));
    let (s3, plain) = send(&scene, Method::POST, "/v1/complaints", Some(&token), Some(filing), &[]).await;
    assert_eq!(s3, 201);
    assert_ne!(plain["trackingCode"], first["trackingCode"]);
}

#[tokio::test]
async fn anonymous_callers_over_their_rate_get_429_with_retry_after() {
    let scene = Scene::start_with(
        |c| {
            crate::realtime::scene::fast(c);
            c.router.rate_limits.anonymous_per_minute = 2;
        },
        Default::default(),
    )
    .await;
    let mut last = None;
    for _ in 0..4 {
        let r = scene
            .http
            .get(format!("http://{}/v1/complaints/track/ABC", scene.graph.front))
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .expect("send");
        last = Some(r);
    }
    let r = last.expect("a response");
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
}
