//! inventory: adds stock and a shipping estimate that `@requires` price and
//! weight from products. Product "4" fails here (an error inside a nested
//! entity fetch).

use async_graphql::{EmptyMutation, EmptySubscription, Error, Object, Schema, SimpleObject};

/// A product as inventory knows it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Product {
    /// Code.
    pub upc: String,
    /// From products.
    #[graphql(external)]
    pub price: Option<i32>,
    /// From products.
    #[graphql(external)]
    pub weight: Option<i32>,
}

#[async_graphql::ComplexObject]
impl Product {
    /// Whether it is in stock.
    async fn in_stock(&self) -> bool {
        self.upc != "2"
    }

    /// Shipping cost: free above 1000.00, else by weight.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Option<i32> {
        let (price, weight) = (self.price?, self.weight?);
        Some(if price > 100_000 { 0 } else { weight / 20 })
    }
}

/// Root.
pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        #[graphql(key)] upc: String,
        price: Option<i32>,
        weight: Option<i32>,
    ) -> Result<Product, Error> {
        if upc == "4" {
            return Err(Error::new("warehouse offline for product 4"));
        }
        Ok(Product { upc, price, weight })
    }
}

/// The schema.
pub fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}
