//! Issue 14, items 6, 8, 9 and 11 end to end: the test subgraphs use what
//! Apollo's composer accepts — key fields shared without `@shareable`
//! (nested ones too), an `@override` from a subgraph that does not exist, a
//! field typed by a union in one subgraph and by a member in another, an
//! input object two subgraphs define differently — and the router answers
//! the same on our supergraph and on Apollo's.

use serde_json::json;

use crate::testkit::{TestRouter, codes};

#[tokio::test]
async fn what_apollo_composes_we_compose_and_serve_the_same_way() {
    for (which, r) in TestRouter::on_both().await {
        // Item 6: `Location.aisle` is resolved by products and reviews and
        // marked shareable by neither: it is inside `Shelf`'s key.
        let res =
            r.query("{ topProducts(first: 1) { shelf { id location { aisle } label } } }", json!({})).await;
        assert_eq!(res["data"]["topProducts"][0]["shelf"]["location"]["aisle"], 10, "{which}: {res:#}");

        // Item 8: `User.name` overrides a subgraph that is not in the graph.
        let res = r.query("{ users { id name } }", json!({})).await;
        assert_eq!(res["data"]["users"][0]["name"], "Ada Lovelace", "{which}: {res:#}");

        // Item 9: `bestSeller` is `SearchResult` in search and `Product` in
        // products; the supergraph has the union.
        let res = r.query("{ bestSeller { __typename ... on Product { upc name price } } }", json!({})).await;
        assert_eq!(
            res["data"]["bestSeller"],
            json!({"__typename": "Product", "upc": "1", "name": "Table", "price": 89900}),
            "{which}: {res:#}"
        );

        // Item 11: `ProductFilter` is the intersection of products' and
        // search's: `maxPrice` (products only) is not in the supergraph.
        let res = r.query("{ findProducts(filter: { nameContains: \"a\" }) { upc } }", json!({})).await;
        assert_eq!(
            res["data"]["findProducts"],
            json!([{"upc": "1"}, {"upc": "3"}, {"upc": "4"}]),
            "{which}: {res:#}"
        );
        let refused = r.query("{ findProducts(filter: { maxPrice: 100 }) { upc } }", json!({})).await;
        assert_eq!(codes(&refused), ["BAD_USER_INPUT"], "{which}: {refused:#}");
    }
}
