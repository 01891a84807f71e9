//! Issue 14, item 4: `@inaccessible` elements of a supergraph stay out of
//! every answer, introspection and validation included.

use serde_json::{Value, json};

use crate::testkit::{TestRouter, codes};

/// Issue 14, item 4: what `@inaccessible` hides never reaches a client, on
/// our supergraph and on Apollo's. A hidden enum value a subgraph returns
/// becomes null (an error where the field is non-null, nulling the nearest
/// nullable parent); an object of a hidden type becomes null; hidden types
/// and values are absent from introspection and refused by validation.
#[tokio::test]
async fn inaccessible_values_and_types_never_reach_a_client() {
    for (which, r) in TestRouter::on_both().await {
        let res = r.query("{ topProducts(first: 3) { upc grade } }", json!({})).await;
        assert_eq!(res["data"]["topProducts"][2], json!({"upc": "3", "grade": null}), "{which}: {res:#}");
        assert_eq!(res["data"]["topProducts"][1]["grade"], "NEW", "{which}: {res:#}");
        assert!(res.get("errors").is_none(), "{which}: a nullable field just becomes null: {res:#}");

        let res = r.query("{ topProducts(first: 3) { upc condition } }", json!({})).await;
        assert!(!res.to_string().contains("REFURBISHED"), "{which}: {res:#}");
        assert_eq!(res["data"], Value::Null, "{which}: the non-null list nulls the data: {res:#}");
        assert_eq!(codes(&res), ["INTERNAL"], "{which}: {res:#}");
        assert_eq!(res["errors"][0]["path"], json!(["topProducts", 2, "condition"]), "{which}: {res:#}");

        let res = r.query("{ featured { __typename ... on Product { upc } } }", json!({})).await;
        assert_eq!(res["data"]["featured"], Value::Null, "{which}: {res:#}");
        assert!(!res.to_string().contains("\"Ad\""), "{which}: {res:#}");

        let res = r
            .query(
                "{ __type(name: \"Condition\") { enumValues { name } } ad: __type(name: \"Ad\") { name } }",
                json!({}),
            )
            .await;
        assert_eq!(
            res["data"]["__type"]["enumValues"],
            json!([{"name": "NEW"}, {"name": "USED"}]),
            "{which}: {res:#}"
        );
        assert_eq!(res["data"]["ad"], Value::Null, "{which}: {res:#}");
        let refused = r.query("{ featured { ... on Ad { id } } }", json!({})).await;
        assert!(refused["data"].is_null() && !codes(&refused).is_empty(), "{which}: {refused:#}");
    }
}
