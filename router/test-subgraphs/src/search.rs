//! search: a union whose members live in other subgraphs; it only knows
//! their keys.

use async_graphql::{EmptyMutation, EmptySubscription, ID, InputObject, Object, Schema, SimpleObject, Union};

/// A user reference.
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id.
    pub id: ID,
}

/// A product reference.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Product {
    /// Code.
    pub upc: String,
}

#[async_graphql::ComplexObject]
impl Product {
    /// Search's own categories replace the catalogue's.
    #[graphql(override_from = "products")]
    async fn category(&self) -> String {
        format!("home-{}", self.upc)
    }
}

/// A paid placement: search's own type, hidden from clients
/// (`@inaccessible`).
#[derive(SimpleObject, Clone)]
#[graphql(inaccessible)]
pub struct Ad {
    /// Id.
    pub id: ID,
}

/// Anything search finds.
#[derive(Union, Clone)]
pub enum SearchResult {
    /// A user.
    User(User),
    /// A product.
    Product(Product),
    /// An ad; never reaches a client.
    Ad(Ad),
}

/// Search's side of the shared product filter: no `maxPrice`.
#[derive(InputObject)]
pub struct ProductFilter {
    /// Part of the name (search ignores it: fixed results).
    pub name_contains: Option<String>,
}

/// Root.
pub struct Query;

#[Object]
impl Query {
    /// Users and products matching `term` (fixed results).
    async fn search(&self, term: String) -> Vec<SearchResult> {
        let _ = term;
        vec![
            SearchResult::Product(Product { upc: "3".into() }),
            SearchResult::User(User { id: ID("2".into()) }),
            SearchResult::Product(Product { upc: "1".into() }),
        ]
    }

    /// The best seller, as search sees it: a `SearchResult` (products types
    /// the same field `Product`).
    #[graphql(shareable)]
    async fn best_seller(&self) -> Option<SearchResult> {
        Some(SearchResult::Product(Product { upc: "1".into() }))
    }

    /// Products for a filter (fixed results).
    async fn search_products(&self, filter: ProductFilter) -> Vec<Product> {
        let _ = filter.name_contains;
        vec![Product { upc: "2".into() }]
    }

    /// What search features today: an ad, which the router must turn into
    /// null, since clients cannot know its type.
    async fn featured(&self) -> Option<SearchResult> {
        Some(SearchResult::Ad(Ad { id: ID("ad-1".into()) }))
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product { upc }
    }
}

/// The schema.
pub fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}
