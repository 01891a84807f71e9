//! products: owns `Product` (name, price, weight) and `Warehouse`, an
//! entity with a composite key.

use async_graphql::{EmptyMutation, EmptySubscription, Enum, ID, InputObject, Object, Schema, SimpleObject};

/// A product.
#[derive(SimpleObject, Clone)]
pub struct Product {
    /// Universal product code.
    pub upc: String,
    /// Name.
    pub name: String,
    /// Price in cents.
    pub price: i32,
    /// Weight in grams.
    pub weight: i32,
    /// Category; search overrides it (`@override(from: "products")`).
    pub category: String,
    /// How it is sold. Product "3" is `REFURBISHED`, a value clients never
    /// see (`@inaccessible`): the router must answer an error here.
    pub condition: Condition,
    /// Its grade, the same values; null for the router on product "3".
    pub grade: Option<Condition>,
}

/// How a product is sold.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Condition {
    /// Never used.
    New,
    /// Used before.
    Used,
    /// Repaired by the seller; internal only.
    #[graphql(inaccessible)]
    Refurbished,
}

/// A warehouse, keyed by region and code together.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Warehouse {
    /// Region.
    pub region: String,
    /// Code within the region.
    pub code: String,
}

#[async_graphql::ComplexObject]
impl Warehouse {
    /// Display label.
    async fn label(&self) -> String {
        format!("{}-{}", self.region, self.code)
    }
}

/// Where a shelf stands; a value type shared with reviews, shareable
/// because it is inside `Shelf`'s key (no `@shareable` needed).
#[derive(SimpleObject, Clone)]
pub struct Location {
    /// Aisle number.
    pub aisle: i32,
}

/// A shelf, keyed by its id and its aisle (a nested key:
/// `id location { aisle }`).
#[derive(SimpleObject, Clone)]
pub struct Shelf {
    /// Id within the aisle.
    pub id: ID,
    /// Where it stands.
    pub location: Location,
    /// Display label.
    pub label: String,
}

/// Which products `findProducts` returns. Search declares the same input
/// without `maxPrice`, so the supergraph has only `nameContains`.
#[derive(InputObject)]
pub struct ProductFilter {
    /// Part of the name, any case.
    pub name_contains: Option<String>,
    /// Most cents (products only; composed away).
    pub max_price: Option<i32>,
}

/// The nested part of a shelf's key.
#[derive(InputObject)]
pub struct LocationKey {
    /// Aisle number.
    pub aisle: i32,
}

pub(crate) fn products() -> Vec<Product> {
    [
        ("1", "Table", 89_900, 12_000),
        ("2", "Couch", 129_900, 40_000),
        ("3", "Chair", 5_400, 4_000),
        ("4", "Lamp", 2_500, 900),
    ]
    .into_iter()
    .map(|(upc, name, price, weight)| Product {
        upc: upc.into(),
        name: name.into(),
        price,
        weight,
        category: "furniture".into(),
        condition: match upc {
            "3" => Condition::Refurbished,
            "2" => Condition::Used,
            _ => Condition::New,
        },
        grade: Some(if upc == "3" { Condition::Refurbished } else { Condition::New }),
    })
    .collect()
}

/// Root.
pub struct Query;

#[Object]
impl Query {
    /// The first `first` products.
    async fn top_products(&self, #[graphql(default = 5)] first: i32) -> Vec<Product> {
        products().into_iter().take(first.max(0) as usize).collect()
    }

    /// Products matching `filter`.
    async fn find_products(&self, filter: ProductFilter) -> Vec<Product> {
        let needle = filter.name_contains.unwrap_or_default().to_lowercase();
        products()
            .into_iter()
            .filter(|p| p.name.to_lowercase().contains(&needle))
            .filter(|p| filter.max_price.is_none_or(|m| p.price <= m))
            .collect()
    }

    /// The best seller. Search has the same field typed by its union
    /// (`SearchResult`): the supergraph takes the union.
    #[graphql(shareable)]
    async fn best_seller(&self) -> Option<Product> {
        products().into_iter().next()
    }

    /// A product by code.
    async fn product(&self, upc: String) -> Option<Product> {
        products().into_iter().find(|p| p.upc == upc)
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Option<Product> {
        products().into_iter().find(|p| p.upc == upc)
    }

    #[graphql(entity)]
    async fn find_shelf(&self, id: ID, location: LocationKey) -> Shelf {
        let label = format!("aisle {} / shelf {}", location.aisle, id.as_str());
        Shelf { id, location: Location { aisle: location.aisle }, label }
    }

    #[graphql(entity)]
    async fn find_warehouse(&self, region: String, code: String) -> Warehouse {
        Warehouse { region, code }
    }
}

/// The schema.
pub fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}
