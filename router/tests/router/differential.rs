//! The same queries through the router on two supergraphs of the same
//! subgraphs: ours, and the one Apollo's composer writes
//! (`fixtures/apollo.graphql`). Every answer must be the same, errors and
//! nulls included (issue 14: the router serves any Federation v2 graph, not
//! only the ones our composer writes).

use serde_json::{Value, json};

use crate::testkit::TestRouter;

/// Entity fetches across subgraphs, `@requires`, `@provides`, nested keys,
/// unions, interfaces and fragments, a field selected twice, variable
/// defaults, per-entity errors and a non-null violation.
const QUERIES: &[(&str, &str)] = &[
    (
        "nested entities",
        "{ me { name reviews { body product { name inStock shippingEstimate } } } topProducts(first: 2) { upc name } }",
    ),
    ("provides", "{ reviews { body author { username } } }"),
    ("per-entity errors", "{ topProducts(first: 4) { upc rating } }"),
    ("requires", "{ topProducts(first: 4) { name price shippingEstimate } }"),
    (
        "union across subgraphs",
        "{ search(term: \"a\") { __typename ... on User { id name } ... on Product { upc name rating } } }",
    ),
    (
        "interface",
        "{ mostReviewed { __typename reviews { body } ... on Product { name price } ... on User { name } } }",
    ),
    ("nested key", "{ topProducts(first: 2) { shelf { id location { aisle } label } } }"),
    ("merged field", "{ reviews { product { upc } product { name } ... on Review { product { rating } } } }"),
    (
        "fragments",
        "{ topProducts(first: 1) { upc } topProducts(first: 1) { inStock rating } ...Q } fragment Q on Query { topProducts(first: 1) { shippingEstimate } }",
    ),
    (
        "variable defaults",
        "query ($show: Boolean = true, $hide: Boolean = true) { reviews { product { upc rating @include(if: $show) } } topProducts(first: 1) { upc votes @skip(if: $hide) } }",
    ),
    ("non-null violation", "{ topProducts(first: 4) { upc votes } }"),
    ("typename only", "{ topProducts(first: 3) { __typename } }"),
];

#[tokio::test]
async fn apollos_supergraph_and_ours_give_the_same_answers() {
    let [(_, ours), (_, apollo)] = TestRouter::on_both().await;
    for (what, query) in QUERIES {
        let a: Value = ours.query(query, json!({})).await;
        let b: Value = apollo.query(query, json!({})).await;
        assert!(a.get("data").is_some(), "{what}: ours did not execute: {a:#}");
        assert_eq!(a, b, "{what}: {query}");
    }
}
