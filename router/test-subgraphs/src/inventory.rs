//! inventory: adds stock and a shipping estimate that `@requires` price and
//! weight from products. Product "4" has no shipping estimate: the field
//! errors inside the entity fetch (path `["_entities", i, "shippingEstimate"]`).

use async_graphql::{EmptyMutation, EmptySubscription, Error, Object, Schema, SimpleObject};

/// A product as inventory knows it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Product {
    /// Code.
    pub upc: String,
    /// From products (external: its type matches products', as Apollo's
    /// composer requires).
    #[graphql(external)]
    pub price: i32,
    /// From products.
    #[graphql(external)]
    pub weight: i32,
    /// Price and weight when the router sent them (`@requires`).
    #[graphql(skip)]
    pub required: Option<(i32, i32)>,
}

#[async_graphql::ComplexObject]
impl Product {
    /// Whether it is in stock.
    async fn in_stock(&self) -> bool {
        self.upc != "2"
    }

    /// Shipping cost: free above 1000.00, else by weight.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Result<Option<i32>, Error> {
        if self.upc == "4" {
            return Err(Error::new("no carrier ships product 4"));
        }
        let Some((price, weight)) = self.required else { return Ok(None) };
        Ok(Some(if price > 100_000 { 0 } else { weight / 20 }))
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
    ) -> Product {
        Product {
            upc,
            price: price.unwrap_or_default(),
            weight: weight.unwrap_or_default(),
            required: price.zip(weight),
        }
    }
}

/// The schema.
pub fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}
