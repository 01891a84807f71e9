//! Issue 14, item 2: `@interfaceObject` entities. identity owns the
//! interface `Account` (implemented by `Admin` and `Regular`); billing adds
//! `balance` to `Account` as an interface object. Whatever concrete type an
//! account arrives with, billing is sent `{"__typename": "Account", "id": …}`
//! and its answer lands on the concrete object: in lists, under fragments
//! on the concrete types, on our supergraph and on Apollo's.

use serde_json::json;

use crate::testkit::TestRouter;

#[tokio::test]
async fn interface_object_fields_reach_every_implementation() {
    for (which, r) in TestRouter::on_both().await {
        let res = r
            .query(
                "{ accounts { __typename id name balance ... on Admin { level } ... on Regular { balance } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            res["data"]["accounts"],
            json!([
                {"__typename": "Admin", "id": "1", "name": "Root", "balance": 100, "level": 3},
                {"__typename": "Regular", "id": "2", "name": "Rita", "balance": 200},
                {"__typename": "Regular", "id": "3", "name": "Sam", "balance": 300},
            ]),
            "{which}: {res:#}"
        );
        let seen = r.billing.0.lock().expect("traffic").clone();
        assert!(
            !seen.is_empty() && seen.iter().all(|t| t == "Account"),
            "{which}: billing received {seen:?}"
        );
    }
}

/// An interface-object field with `@requires`: billing's `greeting` needs
/// the account's `name` from identity, sent with the representation.
#[tokio::test]
async fn an_interface_object_field_with_requires_gets_its_required_fields() {
    for (which, r) in TestRouter::on_both().await {
        let res = r
            .query(
                "{ accounts { id ... on Admin { greeting level } ... on Regular { greeting } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            res["data"]["accounts"],
            json!([
                {"id": "1", "greeting": "Dear Root", "level": 3},
                {"id": "2", "greeting": "Dear Rita"},
                {"id": "3", "greeting": "Dear Sam"},
            ]),
            "{which}: {res:#}"
        );
    }
}
