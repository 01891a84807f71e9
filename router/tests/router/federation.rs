//! The composer's output for the test subgraphs: what the planner relies on.

use crate::testkit::TestRouter;

#[tokio::test]
async fn composed_supergraph_carries_keys_requires_provides_and_unions() {
    let r = TestRouter::builder().start().await;
    let s = &r.supergraph;
    for expected in [
        "@join__type(graph: PRODUCTS, key: \"region code\")",
        "@join__type(graph: REVIEWS, key: \"region code\", resolvable: false)",
        "shippingEstimate: Int @join__field(graph: INVENTORY, requires: \"price weight\")",
        "@join__field(graph: REVIEWS, provides: \"username\")",
        "@join__unionMember(graph: SEARCH, member: \"Product\")",
        "RATINGS @join__graph(name: \"ratings\"",
        "category: String! @join__field(graph: SEARCH, override: \"products\")",
        "@join__type(graph: PRODUCTS, key: \"id location { aisle }\")",
    ] {
        assert!(s.contains(expected), "missing {expected:?} in\n{s}");
    }
}
