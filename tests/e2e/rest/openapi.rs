//! The OpenAPI document: a valid OpenAPI 3.1 document (parsed by `oas3`)
//! naming every route of the table with its parameters, body, answers and
//! security, and answers that match their own schemas.

use backbone_router::rest::table::Table;
use reqwest::Method;
use serde_json::json;

use super::call;
use crate::realtime::scene::Scene;

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let scene = Scene::start().await;
    let (status, doc) = call(&scene, Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let spec = oas3::from_json(doc.to_string()).expect("an OpenAPI document oas3 reads");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);

    let table = Table::built_in().expect("table");
    let operations: Vec<(String, String)> = spec
        .operations()
        .map(|(path, method, op)| (format!("{method} {path}"), op.operation_id.clone().unwrap_or_default()))
        .collect();
    for route in &table.routes {
        let key = format!("{} {}", route.method, route.template);
        assert!(
            operations.iter().any(|(k, id)| *k == key && *id == route.operation.name),
            "{key} ({}) missing from {operations:?}",
            route.operation.name
        );
    }
    assert_eq!(operations.len(), table.routes.len());

    let by_id = &doc["paths"]["/v1/complaints/{id}"]["get"];
    assert_eq!(
        by_id["parameters"][0],
        json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}})
    );
    for status in ["200", "400", "401", "403", "404", "409", "429", "500", "502", "503"] {
        assert!(by_id["responses"][status].is_object(), "{status} in {by_id}");
    }
    let answer = &by_id["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(answer["type"], "object", "the complaint itself, never null: {answer}");
    assert!(answer["required"].as_array().is_some_and(|r| r.contains(&json!("trackingCode"))), "{answer}");
    assert_eq!(answer["properties"]["region"]["type"], json!(["string", "null"]));
    assert!(
        answer["properties"]["status"]["enum"].as_array().is_some_and(|e| e.contains(&json!("SUBMITTED")))
    );

    let list = &doc["paths"]["/v1/complaints"]["get"]["parameters"];
    let status =
        list.as_array().expect("params").iter().find(|p| p["name"] == "status").expect("status param");
    assert_eq!(status["schema"]["type"], json!(["array", "null"]), "{status}");

    let filing = &doc["paths"]["/v1/complaints"]["post"];
    assert_eq!(
        filing["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/FileComplaintInput"
    );
    assert!(filing["security"].as_array().is_some_and(|s| s.contains(&json!({}))), "anonymous allowed");
    assert!(
        filing["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["name"] == "Idempotency-Key"))
    );
    let input = &doc["components"]["schemas"]["FileComplaintInput"];
    assert!(input["required"].as_array().is_some_and(|r| r.contains(&json!("subject"))), "{input}");
    assert!(
        !input["required"].as_array().is_some_and(|r| r.contains(&json!("priority"))),
        "a default: {input}"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
    let verify = &doc["paths"]["/v1/documents:verify"]["post"]["requestBody"]["content"];
    assert!(verify["application/pdf"].is_object(), "{verify}");

    // An answer matches its own schema's required keys.
    let id = scene.file("patient", "billing", "NORMAL").await;
    let (_, complaint) =
        call(&scene, Method::GET, &format!("/v1/complaints/{id}"), Some("staff"), None).await;
    for key in answer["required"].as_array().expect("required") {
        assert!(complaint.get(key.as_str().expect("key")).is_some(), "{key} in {complaint}");
    }
    let extra: Vec<&String> = complaint
        .as_object()
        .expect("object")
        .keys()
        .filter(|k| answer["properties"].get(k.as_str()).is_none())
        .collect();
    assert!(extra.is_empty(), "keys not in the schema: {extra:?}");
}

#[tokio::test]
async fn the_reference_page_is_served_offline_under_a_strict_policy() {
    let scene = Scene::start().await;
    let page = scene.http.get(format!("http://{}/v1/docs", scene.graph.front)).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().expect("policy").to_owned();
    assert!(policy.contains("default-src 'self'") && policy.contains("script-src 'self'"), "{policy}");
    let html = page.text().await.expect("html");
    for asset in ["/v1/docs/swagger-ui-bundle.js", "/v1/docs/swagger-ui.css", "/v1/docs/init.js"] {
        assert!(html.contains(asset), "{asset} in the page");
        let r = scene.http.get(format!("http://{}{asset}", scene.graph.front)).send().await.expect("asset");
        assert_eq!(r.status(), 200, "{asset}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "no outside address in {html}");
    let init =
        scene.http.get(format!("http://{}/v1/docs/init.js", scene.graph.front)).send().await.expect("init");
    let init = init.text().await.expect("init.js");
    assert!(init.contains("validatorUrl: null"), "no call to the online validator");
    let missing =
        scene.http.get(format!("http://{}/v1/docs/../../etc/passwd", scene.graph.front)).send().await;
    assert_ne!(missing.expect("request").status(), 200);
}
