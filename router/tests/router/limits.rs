//! Bad requests get clear, coded errors and never crash or stall the
//! router; GET, graphql-response+json, auth at the edge, introspection.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::testkit::{TestRouter, codes};

fn reason(v: &Value) -> &str {
    v["errors"][0]["extensions"]["reason"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn malformed_queries_unknown_fields_and_wrong_variables() {
    let r = TestRouter::builder().start().await;
    let cases = [
        (json!({"query": "{ me { name "}), "GRAPHQL_PARSE_FAILED"),
        (json!({"query": "{ me { password } }"}), "GRAPHQL_VALIDATION_FAILED"),
        (
            json!({"query": "query($n: Int) { topProducts(first: $n) { upc } }", "variables": {"n": "five"}}),
            "VARIABLE_INVALID",
        ),
        (
            json!({"query": "query($n: Int!) { topProducts(first: $n) { upc } }", "variables": {}}),
            "VARIABLE_INVALID",
        ),
        (
            json!({"query": "query($n: Int) { topProducts(first: $n) { upc } }", "variables": {"n": 3_000_000_000u64}}),
            "VARIABLE_INVALID",
        ),
        (json!({"query": "{ me { name } }", "variables": [1, 2]}), "INVALID_REQUEST"),
        (json!({"nothing": true}), "INVALID_REQUEST"),
        (json!({"query": "query A { me { name } } query B { me { id } }"}), "INVALID_REQUEST"),
    ];
    for (body, expected) in cases {
        let res = r.post(body.clone()).await;
        assert_eq!(codes(&res), ["BAD_USER_INPUT"], "{body}: {res}");
        assert_eq!(reason(&res), expected, "{body}: {res}");
        assert!(res.get("data").is_none_or(Value::is_null), "{res}");
    }
    let not_json = r
        .http
        .post(&r.url)
        .body("{{{")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("send");
    let body: Value = not_json.json().await.expect("json");
    assert_eq!(reason(&body), "INVALID_REQUEST");
}

#[tokio::test]
async fn huge_bodies_deep_queries_and_many_aliases_are_refused() {
    let r = TestRouter::builder().start().await;
    let huge = json!({"query": format!("{{ me {{ name }} }} # {}", "x".repeat(10 * 1024 * 1024))});
    let res = r.http.post(&r.url).json(&huge).send().await.expect("send");
    assert_eq!(res.status(), 413);

    let deep = format!("{{ {} name {} }}", "me { reviews { author { ".repeat(50), "} } } ".repeat(50));
    let res = r.query(&deep, json!({})).await;
    assert_eq!(reason(&res), "MAX_DEPTH_EXCEEDED", "{res}");
    let two_hundred = format!("{}{}", "{ a".repeat(200), " }".repeat(200));
    let res = r.query(&two_hundred, json!({})).await;
    assert_eq!(codes(&res), ["BAD_USER_INPUT"], "{res}");

    let aliases: String = (0..10_000).map(|i| format!("a{i}: __typename ")).collect();
    let res = r.query(&format!("{{ {aliases} }}"), json!({})).await;
    assert!(["MAX_ALIASES_EXCEEDED", "MAX_TOKENS_EXCEEDED"].contains(&reason(&res)), "{res}");
    let some: String = (0..150).map(|i| format!("a{i}: id ")).collect();
    let res = r.query(&format!("{{ me {{ {some} }} }}"), json!({})).await;
    assert_eq!(reason(&res), "MAX_ALIASES_EXCEEDED");
    let roots: String = (0..40).map(|i| format!("f{i}: me {{ id }} ")).collect();
    let res = r.query(&format!("{{ {roots} }}"), json!({})).await;
    assert_eq!(reason(&res), "MAX_ROOT_FIELDS_EXCEEDED");

    // Still serving.
    assert_eq!(r.query("{ me { name } }", json!({})).await["data"]["me"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn get_queries_graphql_response_json_and_edge_auth() {
    let r = TestRouter::builder().start().await;
    let url = |q: &str| reqwest::Url::parse_with_params(&r.url, [("query", q)]).expect("url");
    let res = r.http.get(url("{ me { name } }")).send().await.expect("get");
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.expect("json")["data"]["me"]["name"], "Ada Lovelace");
    let res = r.http.get(url("mutation { x }")).send().await.expect("get");
    assert_eq!(res.status(), 405);

    let modern = r
        .http
        .post(&r.url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({"query": "{ me { nope } }"}))
        .send()
        .await
        .expect("post");
    assert_eq!(modern.status(), 400);
    assert_eq!(modern.headers()["content-type"], "application/graphql-response+json");

    let bad = r
        .http
        .post(&r.url)
        .bearer_auth("not-a-token")
        .json(&json!({"query": "{ me { name } }"}))
        .send()
        .await
        .expect("post");
    let body: Value = bad.json().await.expect("json");
    assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
    let good = r
        .http
        .post(&r.url)
        .bearer_auth(r.token())
        .json(&json!({"query": "{ me { name } }"}))
        .send()
        .await
        .expect("post");
    assert_eq!(good.json::<Value>().await.expect("json")["data"]["me"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn introspection_of_the_api_schema_and_turning_it_off() {
    let r = TestRouter::builder().start().await;
    let res = r
        .query(
            r#"{ __schema { queryType { name } types { name } }
                 __type(name: "Product") { kind fields { name type { kind name ofType { name } } } } }"#,
            json!({}),
        )
        .await;
    assert!(res.get("errors").is_none(), "{res}");
    assert_eq!(res["data"]["__schema"]["queryType"]["name"], "Query");
    let types: Vec<&str> = res["data"]["__schema"]["types"]
        .as_array()
        .expect("types")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(types.contains(&"Review") && !types.iter().any(|t| t.starts_with("join__")), "{types:?}");
    let fields = res["data"]["__type"]["fields"].as_array().expect("fields");
    let upc = fields.iter().find(|f| f["name"] == "upc").expect("upc");
    assert_eq!(upc["type"], json!({"kind": "NON_NULL", "name": null, "ofType": {"name": "String"}}));
    assert!(fields.iter().any(|f| f["name"] == "shippingEstimate"), "fields from every subgraph");

    // The meta-fields are not Query's fields: a client building a schema
    // from the answer (GraphiQL, graphql-js) refuses names starting "__".
    let root = r.query(r#"{ __type(name: "Query") { fields { name } } }"#, json!({})).await;
    let names: Vec<&str> = root["data"]["__type"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(!names.is_empty() && names.iter().all(|n| !n.starts_with("__")), "{names:?}");

    let off = TestRouter::builder().config(|c| c.introspection = Some(false)).start().await;
    let res = off.query("{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(codes(&res), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let r = TestRouter::builder()
        .config(|c| c.cors_allow_origins = vec!["https://app.example".into()])
        .start()
        .await;
    let preflight = |origin: &'static str| {
        r.http
            .request(reqwest::Method::OPTIONS, &r.url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    let allowed = preflight("https://app.example").await.expect("preflight");
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example");
    let denied = preflight("https://evil.example").await.expect("preflight");
    assert!(denied.headers().get("access-control-allow-origin").is_none());
}

/// `fragment F1 on Query { ...F2 ...F2 }` … `depth` levels: ~1 KB of text
/// that names 2^depth fields once expanded.
pub fn fragment_bomb(depth: usize) -> String {
    let mut doc = String::from("query Bomb { ...F1 }\n");
    for i in 1..depth {
        doc.push_str(&format!("fragment F{i} on Query {{ ...F{n} ...F{n} }}\n", n = i + 1));
    }
    doc.push_str(&format!("fragment F{depth} on Query {{ me {{ name }} }}\n"));
    doc
}

/// Resident memory of this process, in bytes.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragment_bombs_are_refused_before_planning() {
    let r = TestRouter::builder().start().await;
    let before = rss_bytes();
    for depth in [23, 30, 60] {
        let bomb = fragment_bomb(depth);
        let res = tokio::time::timeout(std::time::Duration::from_secs(10), r.query(&bomb, json!({})))
            .await
            .expect("refused in time, not after expanding every fragment");
        assert_eq!(codes(&res), ["BAD_USER_INPUT"], "{res}");
        assert_eq!(reason(&res), "MAX_FIELDS_EXCEEDED", "{res}");
    }
    // A fragment that spreads itself is refused, not followed.
    let cycle =
        "query { ...A } fragment A on Query { ...B ...B me { id } } fragment B on Query { ...A ...A }";
    let res = tokio::time::timeout(std::time::Duration::from_secs(10), r.query(cycle, json!({})))
        .await
        .expect("refused in time");
    assert!(!codes(&res).is_empty() && codes(&res).iter().all(|c| c == "BAD_USER_INPUT"), "{res}");
    let grown = rss_bytes().saturating_sub(before);
    assert!(grown < 32 << 20, "RSS grew by {grown} bytes");

    // 32 fields once expanded (16 at the root): within the limits, served.
    let res = r.query(&fragment_bomb(5), json!({})).await;
    assert_eq!(res["data"]["me"]["name"], "Ada Lovelace", "{res}");

    let low = TestRouter::builder().config(|c| c.max_fields = 3).start().await;
    let res = low.query("{ me { name id } topProducts { upc } }", json!({})).await;
    assert_eq!(reason(&res), "MAX_FIELDS_EXCEEDED", "{res}");
    assert!(res["errors"][0]["message"].as_str().unwrap_or_default().contains("has 5"), "{res}");
}

/// A request as `token` (`None`: anonymous): HTTP status, `Retry-After`,
/// and the body.
async fn send(r: &TestRouter, token: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req = r.http.post(&r.url).json(&json!({"query": "{ me { name } }"}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, retry, res.json().await.expect("json"))
}

#[tokio::test]
async fn bursts_of_anonymous_calls_and_bad_credentials_are_cut_off() {
    let r = TestRouter::builder()
        .config(|c| {
            c.rate_limits.anonymous_per_minute = 5;
            c.rate_limits.failed_auth_per_minute = 3;
        })
        .start()
        .await;
    for i in 0..5 {
        let (status, _, body) = send(&r, None).await;
        assert_eq!(
            (status, body["data"]["me"]["name"].clone()),
            (200, json!("Ada Lovelace")),
            "call {i}: {body}"
        );
    }
    let (status, retry, body) = send(&r, None).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
    assert!(retry.and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)), "Retry-After");

    // Wrong tokens: refused as such three times, then cut off before any
    // is checked, even a good one from the same address.
    for _ in 0..3 {
        let (_, _, body) = send(&r, Some("not-a-token")).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
    }
    let (status, retry, body) = send(&r, Some("not-a-token")).await;
    assert_eq!((status, codes(&body)), (429, vec!["RATE_LIMITED".to_owned()]), "{body}");
    assert!(retry.is_some());
    let (status, _, body) = send(&r, Some(&r.token())).await;
    assert_eq!((status, codes(&body)), (429, vec!["RATE_LIMITED".to_owned()]), "{body}");
}

#[tokio::test]
async fn a_tenant_over_its_limit_does_not_slow_another() {
    let r = TestRouter::builder().config(|c| c.rate_limits.tenant_per_second = 5).start().await;
    let (busy, quiet) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let mut limited = 0;
    for _ in 0..20 {
        let (status, _, body) = send(&r, Some(&r.token_in(busy))).await;
        if status == 429 {
            assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
            limited += 1;
        }
    }
    assert!(limited >= 10, "the busy tenant is cut off ({limited} of 20 refused)");
    for _ in 0..5 {
        let (status, _, body) = send(&r, Some(&r.token_in(quiet))).await;
        assert_eq!((status, body["data"]["me"]["name"].clone()), (200, json!("Ada Lovelace")), "{body}");
    }
}

/// The Redis the tests use: `TEST_REDIS_URL`, else the local default.
fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Two routers sharing buckets under a fresh prefix through `redis`.
async fn replicas(redis: &str) -> (TestRouter, TestRouter) {
    let prefix = format!("bb-test-rate-{}", uuid::Uuid::now_v7());
    let start = |prefix: String| {
        TestRouter::builder()
            .config(move |c| {
                c.rate_limits.anonymous_per_minute = 6;
                c.rate_limits.failed_auth_per_minute = 4;
                c.rate_limits.redis_prefix = prefix;
            })
            .shared_rates(redis)
            .start()
    };
    (start(prefix.clone()).await, start(prefix).await)
}

#[tokio::test]
async fn router_replicas_share_their_buckets_through_redis() {
    let (a, b) = replicas(&redis_url()).await;
    // Six anonymous calls, alternating routers, use the one shared bucket:
    // each router alone would have allowed six.
    for i in 0..6 {
        let (status, _, body) = send(if i % 2 == 0 { &a } else { &b }, None).await;
        assert_eq!(status, 200, "call {i}: {body}");
    }
    for r in [&a, &b] {
        let (status, retry, body) = send(r, None).await;
        assert_eq!((status, codes(&body)), (429, vec!["RATE_LIMITED".to_owned()]), "{body}");
        assert!(retry.and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    }
    // Wrong tokens guessed through both: four refused as such, then the
    // address is cut off on both routers, even with a good token.
    for i in 0..4 {
        let (_, _, body) = send(if i % 2 == 0 { &a } else { &b }, Some("not-a-token")).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "guess {i}: {body}");
    }
    for r in [&a, &b] {
        let (status, _, body) = send(r, Some(&r.token())).await;
        assert_eq!((status, codes(&body)), (429, vec!["RATE_LIMITED".to_owned()]), "{body}");
    }
}

#[tokio::test]
async fn when_redis_stops_answering_each_router_keeps_its_own_buckets() {
    let redis = redis_url();
    let target = redis.trim_start_matches("redis://").trim_end_matches('/');
    let target: std::net::SocketAddr =
        tokio::net::lookup_host(target).await.expect("redis address").next().expect("an address");
    let proxy = crate::testkit::Proxy::start(target).await;
    let (a, _b) = replicas(&format!("redis://{}", proxy.addr)).await;
    let (status, _, body) = send(&a, None).await;
    assert_eq!(status, 200, "{body}");
    proxy.cut();
    // Redis is gone: requests are neither refused nor stalled, and the
    // router's own bucket still cuts a burst off.
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(send(&a, None).await.0);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 6, "{statuses:?}");
    assert!(statuses[6..].iter().all(|s| *s == 429), "{statuses:?}");
}

/// Every answer names its request (`x-request-id`): the client's id when it
/// is a sane one, else one the router makes, so a log line, a trace and a
/// support ticket can be matched up. A hostile id (huge, or with control
/// characters a log would print) is replaced, not echoed.
#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let r = TestRouter::builder().start().await;
    let send = |id: Option<&str>| {
        let mut req = r.http.post(&r.url).json(&json!({"query": "{ me { name } }"}));
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        async move {
            let res = req.send().await.expect("post");
            res.headers().get("x-request-id").map(|v| v.to_str().expect("ascii").to_owned())
        }
    };
    let made = send(None).await.expect("a request id is made");
    assert!(Uuid::parse_str(&made).is_ok(), "{made}");
    assert_ne!(send(None).await, Some(made), "one per request");
    assert_eq!(send(Some("support-4711.b")).await.as_deref(), Some("support-4711.b"));
    for hostile in ["x".repeat(200), "a b".into(), "tab\there".into(), "{\"json\":1}".into()] {
        let got = send(Some(&hostile)).await.expect("replaced, not dropped");
        assert!(Uuid::parse_str(&got).is_ok(), "{hostile:?} was echoed as {got:?}");
    }
}
