//! Every default route answers what its GraphQL operation answers: the
//! profile, complaints (anonymous filing and tracking, lists filtered by
//! several states), the inbox, consent and data-subject requests,
//! appointments, invoices and documents (verified from the PDF itself).

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{call, code};
use crate::realtime::scene::{Scene, eventually};

#[tokio::test]
async fn profile_complaints_inbox_and_consent_over_rest() {
    let scene = Scene::start().await;
    let (status, me) = call(&scene, Method::GET, "/v1/profile/me", Some("patient"), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], scene.user("patient").to_string());
    assert!(me["roles"].as_array().is_some_and(|r| r.iter().any(|r| r["role"] == "patient")), "{me}");

    // Filed anonymously, tracked anonymously.
    let filing = json!({"tenantId": scene.tenant, "category": "billing", "subject": "Charged twice",
        "description": "Twice in November."});
    let (status, filed) = call(&scene, Method::POST, "/v1/complaints", None, Some(filing)).await;
    assert_eq!(status, 201, "{filed}");
    let tracking = filed["trackingCode"].as_str().expect("tracking code").to_owned();
    let (status, tracked) =
        call(&scene, Method::GET, &format!("/v1/complaints/track/{tracking}"), None, None).await;
    assert_eq!((status, &tracked["status"]), (200, &json!("SUBMITTED")), "{tracked}");

    // Filed by the patient, read by staff, listed by state (any case, repeated).
    let mine = scene.file("patient", "billing", "NORMAL").await;
    let other = scene.file("patient", "billing", "HIGH").await;
    scene.set_status("staff", &other, "ACKNOWLEDGED").await;
    let (status, one) =
        call(&scene, Method::GET, &format!("/v1/complaints/{mine}"), Some("staff"), None).await;
    assert_eq!((status, &one["id"]), (200, &json!(mine)), "{one}");
    let (status, list) = call(
        &scene,
        Method::GET,
        "/v1/complaints?status=submitted&status=ACKNOWLEDGED&first=10",
        Some("staff"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["nodes"].as_array().map(Vec::len), Some(3), "{list}");
    let (_, acknowledged) =
        call(&scene, Method::GET, "/v1/complaints?status=acknowledged", Some("staff"), None).await;
    let ids: Vec<&str> =
        acknowledged["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["id"].as_str()).collect();
    assert_eq!(ids, [other.as_str()]);

    // The acknowledgement reached the reporter's inbox; read one, then all.
    let inbox = || call(&scene, Method::GET, "/v1/notifications?unreadOnly=true", Some("patient"), None);
    eventually(Duration::from_secs(10), "a notification in the patient's inbox", || async {
        inbox().await.1["nodes"].as_array().is_some_and(|n| !n.is_empty())
    })
    .await;
    let (_, unread) = inbox().await;
    let first = unread["nodes"][0]["id"].as_str().expect("notification id").to_owned();
    let (status, read) =
        call(&scene, Method::POST, &format!("/v1/notifications/{first}/read"), Some("patient"), None).await;
    assert_eq!((status, &read["read"]), (200, &json!(true)), "{read}");
    let (status, changed) =
        call(&scene, Method::POST, "/v1/notifications/read-all", Some("patient"), None).await;
    assert_eq!(status, 200, "{changed}");
    assert!(changed.is_i64(), "how many changed: {changed}");
    assert_eq!(inbox().await.1["nodes"], json!([]));

    // Consent granted, listed, withdrawn; a data-subject request asked and listed.
    let grant = json!({"scope": "ai_processing", "textVersion": "v1"});
    let (status, granted) =
        call(&scene, Method::POST, "/v1/consents", Some("patient"), Some(grant.clone())).await;
    assert_eq!((status, &granted["action"]), (201, &json!("GRANTED")), "{granted}");
    assert!(granted["receipt"].is_string(), "{granted}");
    let (status, withdrawn) =
        call(&scene, Method::POST, "/v1/consents/withdraw", Some("patient"), Some(grant)).await;
    assert_eq!((status, &withdrawn["action"]), (200, &json!("WITHDRAWN")), "{withdrawn}");
    let (status, history) = call(&scene, Method::GET, "/v1/consents", Some("patient"), None).await;
    assert_eq!(status, 200, "{history}");
    let actions: Vec<&str> =
        history["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["action"].as_str()).collect();
    assert_eq!(actions, ["WITHDRAWN", "GRANTED"], "newest first");
    let (status, asked) =
        call(&scene, Method::POST, "/v1/dsar-requests", Some("patient"), Some(json!({"kind": "ACCESS"})))
            .await;
    assert_eq!(status, 201, "{asked}");
    let (_, listed) = call(&scene, Method::GET, "/v1/dsar-requests", Some("patient"), None).await;
    assert_eq!(listed["nodes"][0]["id"], asked["id"], "{listed}");
    assert!(listed["nodes"][0]["status"].is_string(), "{listed}");

    let (status, body) = call(&scene, Method::GET, "/v1/complaints/track/NO-SUCH-CODE", None, None).await;
    assert_eq!((status, code(&body)), (404, "NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn appointments_over_rest() {
    let scene = Scene::start().await;
    let service = crate::realtime::appointments::clinic(&scene, &[]).await;
    let from = chrono::Utc::now() + chrono::Duration::days(1);
    let to = from + chrono::Duration::hours(4);
    let path = format!(
        "/v1/services/{service}/slots?from={}&to={}&timeZone=UTC&first=3",
        urlencode(&from.to_rfc3339()),
        urlencode(&to.to_rfc3339())
    );
    let (status, slots) = call(&scene, Method::GET, &path, Some("patient"), None).await;
    assert_eq!(status, 200, "{slots}");
    let slot = slots["nodes"][0]["startsAt"].as_str().expect("a free slot").to_owned();
    assert_eq!(slots["nodes"].as_array().map(Vec::len), Some(3));

    let booking = json!({"serviceId": service, "startsAt": slot, "timeZone": "UTC"});
    let (status, booked) =
        call(&scene, Method::POST, "/v1/appointments", Some("patient"), Some(booking)).await;
    assert_eq!((status, &booked["status"]), (201, &json!("SCHEDULED")), "{booked}");
    assert_eq!(booked["patient"]["id"], scene.user("patient").to_string(), "from the tenants subgraph");
    let id = booked["id"].as_str().expect("id");
    let (status, read) =
        call(&scene, Method::GET, &format!("/v1/appointments/{id}"), Some("clinician"), None).await;
    assert_eq!((status, &read["startsAt"]), (200, &booked["startsAt"]), "{read}");
    let reason = json!({"reason": "feeling better"});
    let (status, cancelled) =
        call(&scene, Method::POST, &format!("/v1/appointments/{id}/cancel"), Some("patient"), Some(reason))
            .await;
    assert_eq!((status, &cancelled["status"]), (200, &json!("CANCELLED")), "{cancelled}");
    assert_eq!(cancelled["cancelReason"], "feeling better");
}

#[tokio::test]
async fn invoices_and_documents_over_rest() {
    use subgraph_billing::domain::{renewal, subscriptions};
    let scene = Scene::start().await;
    let operator = crate::privacy::support::platform_token(&scene);
    let q = "mutation($i: PlanInput!) { createPlan(code: \"basic\", input: $i) { code } }";
    let plan = json!({"name": "Basic", "interval": "MONTHLY", "currency": "EUR", "fee": "30"});
    subgraph_kit::testkit::data(
        crate::privacy::support::as_token(&scene, &operator, q, json!({"i": plan})).await,
    );
    let db = &scene.graph.kit.db;
    let start = chrono::Utc::now() - chrono::Duration::days(40);
    subscriptions::subscribe(db, scene.tenant, None, "basic", start).await.expect("subscribe");
    renewal::renew_due(db, start + chrono::Duration::days(32), chrono::Duration::hours(1))
        .await
        .expect("renew");

    let (status, invoices) = call(&scene, Method::GET, "/v1/invoices", Some("tenant_admin"), None).await;
    assert_eq!(status, 200, "{invoices}");
    let invoice = invoices["nodes"][0]["id"].as_str().expect("an invoice").to_owned();
    let (status, one) =
        call(&scene, Method::GET, &format!("/v1/invoices/{invoice}"), Some("tenant_admin"), None).await;
    assert_eq!((status, &one["currency"]), (200, &json!("EUR")), "{one}");
    assert!(one["lines"].as_array().is_some_and(|l| !l.is_empty()), "{one}");

    let doc = crate::documents::referral(&scene).await["id"].as_str().expect("id").to_owned();
    let (status, read) =
        call(&scene, Method::GET, &format!("/v1/documents/{doc}"), Some("patient"), None).await;
    assert_eq!((status, &read["versions"][0]["number"]), (200, &json!(1)), "{read}");
    let (status, link) =
        call(&scene, Method::POST, &format!("/v1/documents/{doc}/download-link"), Some("patient"), None)
            .await;
    assert_eq!(status, 200, "{link}");
    let pdf = scene.http.get(link["url"].as_str().expect("url")).send().await.expect("download");
    let pdf = pdf.bytes().await.expect("bytes").to_vec();

    // Verified from the PDF itself, and from JSON.
    let verify = |body: reqwest::RequestBuilder| async {
        let r = body.bearer_auth(scene.token("staff")).send().await.expect("verify");
        (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("json"))
    };
    let url = format!("http://{}/v1/documents:verify", scene.graph.front);
    let (status, raw) =
        verify(scene.http.post(&url).header("content-type", "application/pdf").body(pdf.clone())).await;
    assert_eq!((status, &raw["status"], &raw["documentId"]), (200, &json!("INTACT"), &json!(doc)), "{raw}");
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let (status, from_json) = verify(scene.http.post(&url).json(&json!({"contentBase64": encoded}))).await;
    assert_eq!((status, &from_json["sha256"]), (200, &raw["sha256"]), "{from_json}");
    let mut tampered = pdf;
    let at = tampered.len() / 2;
    tampered[at] ^= 0x20;
    let (status, changed) =
        verify(scene.http.post(&url).header("content-type", "application/pdf").body(tampered)).await;
    assert_eq!(status, 200, "{changed}");
    assert_ne!(changed["status"], "INTACT", "{changed}");
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
