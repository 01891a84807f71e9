//! The page over HTTP: served with a same-origin-only policy and the dev
//! token, every asset it names served, examples that validate, no
//! playground in production unless configured, none on the subgraphs.

use std::collections::BTreeSet;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::http::HeaderMap;
use backbone_edge::config::RouterConfig;
use backbone_router::{
    request::GraphQLRequest,
    server::{RouterServer, RouterSettings},
};

use super::{examples, scene};

#[tokio::test]
async fn the_page_is_served_with_a_same_origin_policy_and_the_dev_token() {
    let s = scene().await;
    let http = reqwest::Client::new();
    let front = s.graph.front;
    let page = http.get(format!("http://{front}/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("http") && !csp.contains('*') && !csp.contains("unsafe-eval"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(html.contains("Backbone — GraphQL playground"));
    assert!(html.contains(&format!("&quot;demoToken&quot;:&quot;{}&quot;", s.token)), "token pre-filled");
    assert!(!html.contains("<script>"), "no inline script");

    // A browser asking /graphql for HTML gets the page too.
    let by_accept = http.get(format!("http://{front}/graphql")).header("accept", "text/html").send().await;
    assert!(by_accept.expect("get").text().await.expect("html").contains("backbone-playground"));

    // Everything the page names is served from this origin, with a type.
    let assets: BTreeSet<&str> = html.split(['"', '\'']).filter(|p| p.starts_with("/playground/")).collect();
    assert!(assets.len() >= 2, "a script and a stylesheet: {assets:?}");
    for asset in assets {
        let res = http.get(format!("http://{front}{asset}")).send().await.expect("asset");
        assert_eq!(res.status(), 200, "{asset}");
        let kind = res.headers()["content-type"].to_str().expect("type").to_owned();
        assert!(kind.contains("javascript") || kind.contains("css"), "{asset}: {kind}");
        assert!(res.headers()["cache-control"].to_str().expect("cache").contains("immutable"));
    }
    let missing = http.get(format!("http://{front}/playground/assets/nope.js")).send().await.expect("404");
    assert_eq!(missing.status(), 404);

    // The subgraphs serve no page of their own (theirs loaded from a CDN).
    for sub in &s.graph.subgraphs {
        let res = http.get(format!("http://{}/playground", sub.addr)).send().await.expect("subgraph");
        assert_eq!(res.status(), 404, "{}", sub.name);
    }
}

#[tokio::test]
async fn every_example_operation_validates_against_the_live_graph() {
    let s = scene().await;
    let mut headers = HeaderMap::new();
    headers.insert("authorization", format!("Bearer {}", s.token).parse().expect("header"));
    let examples = examples();
    let names: Vec<&str> = examples.iter().map(|(n, _)| n.as_str()).collect();
    for sub in &s.graph.subgraphs {
        assert!(names.contains(&sub.name), "an example document for {}: {names:?}", sub.name);
    }
    for (name, text) in &examples {
        let doc = async_graphql::parser::parse_query(text).expect(name);
        let DocumentOperations::Multiple(ops) = doc.operations else {
            panic!("{name}: several operations, each named");
        };
        let mut kinds = BTreeSet::new();
        for (op_name, op) in ops {
            kinds.insert(match op.node.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            });
            let op_name = Some(op_name.to_string());
            let request = GraphQLRequest {
                query: Some(text.clone()),
                operation_name: op_name.clone(),
                variables: None,
                extensions: None,
            };
            if let Err(e) = s.graph.router.admit(request, &headers).await {
                panic!("{name}/{op_name:?}: {e:?}");
            }
        }
        assert!(kinds.contains("query") && kinds.contains("mutation"), "{name}: {kinds:?}");
    }
}

#[tokio::test]
async fn production_serves_no_playground_unless_configured() {
    let supergraph =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/graphql/supergraph.graphql");
    for (setting, status) in [(None, 404), (Some(false), 404), (Some(true), 200)] {
        let router = RouterConfig {
            supergraph_path: Some(supergraph.clone()),
            playground: setting,
            ..Default::default()
        };
        let server = RouterServer::build(&RouterSettings { router, ..Default::default() }, false)
            .await
            .expect("router");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, server.app).await });
        let res = reqwest::get(format!("http://{addr}/")).await.expect("get");
        assert_eq!(res.status(), status, "playground = {setting:?}");
        if status == 200 {
            // No dev token outside dev mode.
            assert!(!res.text().await.expect("html").contains("demoToken"));
        }
    }
}
