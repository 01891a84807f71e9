//! Issue 14, item 3: `@requires` whose fields take arguments. digest's
//! `Post.summary` requires `comments(limit: 3) { id }` while the client
//! selects `comments(limit: 1)`: the client gets one comment and a summary
//! of three, and digest receives the required field under its own name
//! with the required argument's values, never the alias and never the
//! client's. On our supergraph and on Apollo's.

use serde_json::json;

use crate::testkit::TestRouter;

#[tokio::test]
async fn a_required_field_with_arguments_is_fetched_with_the_required_values() {
    for (which, r) in TestRouter::on_both().await {
        let res = r.query("{ posts { id comments(limit: 1) { id body } summary } }", json!({})).await;
        assert_eq!(
            res["data"]["posts"][0],
            json!({
                "id": "p1",
                "comments": [{"id": "p1-c1", "body": "comment p1-c1"}],
                "summary": "3 comments: p1-c1, p1-c2, p1-c3",
            }),
            "{which}: {res:#}"
        );
        let seen = r.digest.0.lock().expect("traffic").clone();
        assert!(!seen.is_empty(), "{which}: digest was asked");
        for rep in &seen {
            let keys: Vec<&String> = rep.as_object().map(|o| o.keys().collect()).unwrap_or_default();
            assert_eq!(rep["comments"].as_array().map(Vec::len), Some(3), "{which}: {rep}");
            assert!(
                keys.iter().all(|k| ["__typename", "id", "comments"].contains(&k.as_str())),
                "{which}: {rep}"
            );
        }
    }
}

/// Two fields of one type require the same field with different
/// arguments: each is fetched with its own values (one representation per
/// requirement, never a mix).
#[tokio::test]
async fn two_requires_of_one_field_with_different_arguments_each_get_their_own() {
    for (which, r) in TestRouter::on_both().await {
        let res = r.query("{ posts { id comments(limit: 1) { id } summary headline } }", json!({})).await;
        assert_eq!(
            res["data"]["posts"][1],
            json!({
                "id": "p2",
                "comments": [{"id": "p2-c1"}],
                "summary": "3 comments: p2-c1, p2-c2, p2-c3",
                "headline": "top 2: p2-c1, p2-c2",
            }),
            "{which}: {res:#}"
        );
    }
}
