//! Plans executed end to end through the router.

use serde_json::json;

use crate::testkit::{TestRouter, codes};

#[tokio::test]
async fn nested_query_across_four_subgraphs_with_requires() {
    let r = TestRouter::builder().start().await;
    let res = r
        .query(
            "{ me { name reviews { body product { name inStock shippingEstimate } } } topProducts(first: 2) { upc name } }",
            json!({}),
        )
        .await;
    assert!(res.get("errors").is_none(), "{res:#}");
    let ada = &res["data"]["me"];
    assert_eq!(ada["name"], "Ada Lovelace");
    // shippingEstimate @requires(price weight) from products.
    assert_eq!(
        ada["reviews"][0],
        json!({"body": "Love it", "product": {"name": "Table", "inStock": true, "shippingEstimate": 600}})
    );
    assert_eq!(
        ada["reviews"][1]["product"],
        json!({"name": "Couch", "inStock": false, "shippingEstimate": 0})
    );
    assert_eq!(
        res["data"]["topProducts"],
        json!([{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Couch"}])
    );
}

#[tokio::test]
async fn provides_resolves_without_the_owning_subgraph() {
    // accounts is down: username comes from reviews' @provides alone.
    let r = TestRouter::builder().down("accounts").start().await;
    let res = r.query("{ reviews { body author { username } } }", json!({})).await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(res["data"]["reviews"][0], json!({"body": "Love it", "author": {"username": "@ada"}}));
    // The shareable field is also served by its owner when asked there.
    let r = TestRouter::builder().start().await;
    let res = r.query("{ me { username } user(id: \"3\") { username name } }", json!({})).await;
    assert_eq!(
        res["data"],
        json!({"me": {"username": "@ada"}, "user": {"username": "@grace", "name": "Grace Hopper"}})
    );
}

#[tokio::test]
async fn composite_keys_unions_and_lists_of_entities() {
    let r = TestRouter::builder().start().await;
    let res = r
        .query(
            r#"{
              topProducts(first: 2) { warehouse { region code label } }
              search(term: "x") { __typename ... on User { name } ... on Product { upc name price } }
              users { id name }
            }"#,
            json!({}),
        )
        .await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(
        res["data"]["topProducts"][1]["warehouse"],
        json!({"region": "eu", "code": "w2", "label": "eu-w2"})
    );
    assert_eq!(
        res["data"]["search"],
        json!([
            {"__typename": "Product", "upc": "3", "name": "Chair", "price": 5400},
            {"__typename": "User", "name": "Alan Turing"},
            {"__typename": "Product", "upc": "1", "name": "Table", "price": 89900},
        ])
    );
    assert_eq!(res["data"]["users"].as_array().expect("users").len(), 3);
}

#[tokio::test]
async fn aliases_fragments_variables_typename_and_skip_include() {
    let r = TestRouter::builder().start().await;
    let q = r#"query Q($skip: Boolean!, $with: Boolean!, $n: Int) {
        a: topProducts(first: $n) { ...P __typename }
        me @skip(if: $skip) { name }
        b: me @include(if: $with) { handle: username }
        __typename
    }
    fragment P on Product { n: name upc }"#;
    let res = r.query(q, json!({"skip": true, "with": true, "n": 1})).await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(
        res["data"],
        json!({"a": [{"n": "Table", "upc": "1", "__typename": "Product"}], "b": {"handle": "@ada"}, "__typename": "Query"})
    );
    let keys: Vec<&String> = res["data"].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["a", "b", "__typename"], "response keys in query order");
    let res = r.query(q, json!({"skip": false, "with": false, "n": 0})).await;
    assert_eq!(res["data"], json!({"a": [], "me": {"name": "Ada Lovelace"}, "__typename": "Query"}));
}

#[tokio::test]
async fn a_field_selected_twice_is_answered_once_with_both_selections() {
    let r = TestRouter::builder().start().await;
    let q = r#"{ me { name ... on User { name username } }
        topProducts(first: 1) { upc ...P ... on Product { upc } } }
        fragment P on Product { upc name }"#;
    let raw = r
        .http
        .post(&r.url)
        .json(&json!({"query": q}))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    // Raw text: a duplicated key would parse without complaint.
    assert_eq!(raw.matches("\"upc\"").count(), 1, "{raw}");
    assert_eq!(raw.matches("\"name\"").count(), 2, "{raw}");
    let res: serde_json::Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(
        res["data"],
        json!({"me": {"name": "Ada Lovelace", "username": "@ada"}, "topProducts": [{"upc": "1", "name": "Table"}]})
    );
}

#[tokio::test]
async fn errors_inside_entity_fetches_are_repathed_and_nulls_propagate() {
    let r = TestRouter::builder().start().await;
    // ratings fails for product 3 only: the error lands on topProducts.2.rating.
    let res = r.query("{ topProducts(first: 4) { upc rating } }", json!({})).await;
    assert_eq!(res["data"]["topProducts"][0], json!({"upc": "1", "rating": 5}));
    assert_eq!(res["data"]["topProducts"][2], json!({"upc": "3", "rating": null}));
    assert_eq!(res["errors"].as_array().map(Vec::len), Some(1), "{res:#}");
    let err = &res["errors"][0];
    assert_eq!(err["path"], json!(["topProducts", 2, "rating"]), "{res:#}");
    assert_eq!(err["extensions"]["serviceName"], "ratings");

    // inventory's field error for product 4 (async-graphql sends it without
    // a path): with one entity in the fetch, it is pathed to that entity.
    let res = r.query("{ product(upc: \"4\") { name inStock shippingEstimate } }", json!({})).await;
    assert_eq!(res["data"]["product"], json!({"name": "Lamp", "inStock": true, "shippingEstimate": null}));
    assert_eq!(res["errors"][0]["path"], json!(["product"]), "{res:#}");
    assert!(res["errors"][0]["message"].as_str().expect("msg").contains("no carrier"), "{res:#}");
}

#[tokio::test]
async fn a_subgraph_slower_than_its_timeout_gives_partial_data_and_nothing_hangs() {
    let r = TestRouter::builder().config(|c| c.subgraph_timeout_ms = 200).start().await;
    let started = std::time::Instant::now();
    let res = r.query("{ topProducts(first: 2) { name rating } }", json!({})).await;
    assert!(
        started.elapsed() < std::time::Duration::from_millis(650),
        "the router waited for the slow subgraph"
    );
    assert_eq!(
        res["data"]["topProducts"],
        json!([{"name": "Table", "rating": null}, {"name": "Couch", "rating": null}])
    );
    assert_eq!(codes(&res), ["SUBGRAPH_UNAVAILABLE"]);
    assert!(res["errors"][0]["message"].as_str().expect("msg").contains("ratings"), "{res:#}");
}

#[tokio::test]
async fn a_null_in_a_non_null_position_nulls_the_nearest_nullable_parent() {
    // accounts is down: User.name (String!) is null, so is author (User!),
    // the review (Review!) and the list; the nullable product takes the null.
    let r = TestRouter::builder().down("accounts").start().await;
    let res = r
        .query(
            "{ product(upc: \"1\") { name reviews { author { name } } } topProducts(first: 1) { upc } }",
            json!({}),
        )
        .await;
    assert_eq!(res["data"], json!({"product": null, "topProducts": [{"upc": "1"}]}), "{res:#}");
    assert_eq!(codes(&res), ["SUBGRAPH_UNAVAILABLE"]);
    // users: [User!]! is non-null at the root: data itself becomes null.
    let res = r.query("{ users { id } }", json!({})).await;
    assert_eq!(res["data"], serde_json::Value::Null, "{res:#}");
    assert_eq!(codes(&res), ["SUBGRAPH_UNAVAILABLE"]);
}

#[tokio::test]
async fn a_null_a_subgraph_returns_for_a_non_null_field_is_a_coded_error() {
    let r = TestRouter::builder().start().await;
    let res = r.query("{ product(upc: \"4\") { upc votes } }", json!({})).await;
    assert_eq!(res["data"]["product"], serde_json::Value::Null, "{res:#}");
    let message = res["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Cannot return null for non-nullable field Product.votes"), "{res:#}");
    assert_eq!(codes(&res), ["INTERNAL"], "{res:#}");
    assert_eq!(res["errors"][0]["extensions"]["reason"], "NON_NULL_VIOLATION", "{res:#}");
}

#[tokio::test]
async fn a_subgraph_that_is_down_gives_partial_data_and_a_coded_error() {
    let r = TestRouter::builder().down("inventory").start().await;
    let res = r.query("{ topProducts(first: 1) { name shippingEstimate } }", json!({})).await;
    assert_eq!(res["data"]["topProducts"], json!([{"name": "Table", "shippingEstimate": null}]));
    assert_eq!(codes(&res), ["SUBGRAPH_UNAVAILABLE"]);
    assert!(res["errors"][0]["message"].as_str().expect("msg").contains("inventory"));
}

#[tokio::test]
async fn each_entity_fetch_is_one_request_with_duplicates_removed() {
    use std::sync::atomic::Ordering;
    let r = TestRouter::builder().start().await;
    // Five reviews point at products 1, 2, 1, 3, 4: four distinct entities.
    let res = r.query("{ reviews { product { upc rating } } }", json!({})).await;
    let upcs: Vec<&str> = res["data"]["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|x| x["product"]["upc"].as_str().expect("upc"))
        .collect();
    assert_eq!(upcs, ["1", "2", "1", "3", "4"]);
    assert_eq!(res["data"]["reviews"][2]["product"]["rating"], 5, "the duplicate gets the shared result");
    assert_eq!(r.ratings.entity_requests.load(Ordering::SeqCst), 1);
    assert_eq!(r.ratings.representations.load(Ordering::SeqCst), 4);
    // The error for product 3 reaches its one place in the response.
    assert_eq!(res["errors"][0]["path"], json!(["reviews", 3, "product", "rating"]), "{res:#}");
}

#[tokio::test]
async fn an_overridden_field_is_resolved_by_the_overriding_subgraph() {
    let r = TestRouter::builder().start().await;
    let res = r.query("{ topProducts(first: 2) { name category } }", json!({})).await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(
        res["data"]["topProducts"],
        json!([{"name": "Table", "category": "home-1"}, {"name": "Couch", "category": "home-2"}])
    );
}

#[tokio::test]
async fn an_interface_whose_members_live_in_other_subgraphs() {
    let r = TestRouter::builder().start().await;
    let res = r
        .query(
            "{ mostReviewed { __typename reviews { body } ... on Product { name price } ... on User { name } } }",
            json!({}),
        )
        .await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(
        res["data"]["mostReviewed"],
        json!([
            {"__typename": "Product", "reviews": [{"body": "Love it"}, {"body": "Sturdy"}], "name": "Table", "price": 89900},
            {"__typename": "User", "reviews": [{"body": "Sturdy"}, {"body": "Bright"}], "name": "Alan Turing"},
        ])
    );
}

#[tokio::test]
async fn an_entity_with_a_nested_key_is_resolved() {
    let r = TestRouter::builder().start().await;
    let res = r.query("{ topProducts(first: 2) { shelf { id location { aisle } label } } }", json!({})).await;
    assert!(res.get("errors").is_none(), "{res:#}");
    assert_eq!(
        res["data"]["topProducts"][1]["shelf"],
        json!({"id": "s2", "location": {"aisle": 20}, "label": "aisle 20 / shelf s2"})
    );
}

#[tokio::test]
async fn identical_queries_in_flight_share_one_subgraph_request_per_caller_identity() {
    use std::sync::atomic::Ordering;
    let r = TestRouter::builder().start().await;
    // Product 2's rating takes 700 ms, so ten identical queries overlap.
    let q = json!({"query": "{ product(upc: \"2\") { rating } }"});
    let asks = (0..10).map(|_| r.post(q.clone()));
    for res in futures::future::join_all(asks).await {
        assert_eq!(res["data"]["product"]["rating"], 4, "{res}");
    }
    assert_eq!(r.ratings.entity_requests.load(Ordering::SeqCst), 1);
    // Different credentials never share an answer.
    let (a, b) = (r.token(), r.token());
    let with = |t: String| {
        let body = q.clone();
        let http = r.http.clone();
        let url = r.url.clone();
        async move {
            http.post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("send")
                .json::<serde_json::Value>()
                .await
                .expect("json")
        }
    };
    let (x, y) = futures::join!(with(a), with(b));
    assert_eq!(
        (x["data"]["product"]["rating"].clone(), y["data"]["product"]["rating"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(r.ratings.entity_requests.load(Ordering::SeqCst), 3);
}

/// Issue 14, item 1: a variable's default applies wherever the variable
/// is read when the client sends none — `@include`/`@skip` conditions and
/// the plan's condition nodes — and a skipped field's subgraph is never
/// called for it.
#[tokio::test]
async fn variable_defaults_apply_to_include_and_skip() {
    use std::sync::atomic::Ordering;
    let r = TestRouter::builder().start().await;
    let query = "query ($show: Boolean = true, $hide: Boolean = true) { \
                 reviews { product { upc rating @include(if: $show) } } \
                 topProducts(first: 1) { upc votes @skip(if: $hide) } }";
    let res = r.query(query, json!({})).await;
    assert_eq!(res["data"]["reviews"][0]["product"]["rating"], 5, "default true includes: {res:#}");
    assert!(res["data"]["topProducts"][0].get("votes").is_none(), "default true skips: {res:#}");
    // The ratings subgraph was called once, for the included `rating`, and
    // not at all for the skipped `votes`.
    assert_eq!(r.ratings.entity_requests.load(Ordering::SeqCst), 1, "{res:#}");

    // Values sent win over defaults.
    let res = r.query(query, json!({"show": false, "hide": false})).await;
    assert!(res["data"]["reviews"][0]["product"].get("rating").is_none(), "{res:#}");
    assert_eq!(res["data"]["topProducts"][0]["votes"], 10, "{res:#}");
}

/// Issue 14, item 5: a response key selected more than once with different
/// sub-selections (directly and in a fragment, or in two fragments) is
/// written once with the union of its sub-selections.
#[tokio::test]
async fn a_field_selected_twice_gets_the_union_of_its_selections() {
    let r = TestRouter::builder().start().await;
    let res = r
        .query(
            "{ reviews { product { upc } ...A ...B } } \
             fragment A on Review { product { name } } \
             fragment B on Review { product { price rating } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"]["reviews"][0]["product"],
        json!({"upc": "1", "name": "Table", "price": 89900, "rating": 5}),
        "{res:#}"
    );
    // Directly twice, and with inline fragments.
    let res = r
        .query(
            "{ reviews { product { upc } product { name } ... on Review { product { rating } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"]["reviews"][0]["product"],
        json!({"upc": "1", "name": "Table", "rating": 5}),
        "{res:#}"
    );
    // A root field twice, the second reaching other subgraphs.
    let res = r
        .query(
            "{ topProducts(first: 1) { upc } topProducts(first: 1) { inStock rating } ...Q }              fragment Q on Query { topProducts(first: 1) { shippingEstimate } }",
            json!({}),
        )
        .await;
    let top = &res["data"]["topProducts"][0];
    assert_eq!(
        (
            top["upc"].clone(),
            top["inStock"].is_boolean(),
            top["rating"].clone(),
            top["shippingEstimate"].is_number()
        ),
        (json!("1"), true, json!(5), true),
        "{res:#}"
    );
}
