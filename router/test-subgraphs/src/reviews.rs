//! reviews: owns `Review`; adds `User.reviews` and `Product.reviews`;
//! provides `User.username` on review authors.

use async_graphql::{EmptyMutation, ID, Object, Schema, SimpleObject, Subscription};
use futures::Stream;

/// A review.
#[derive(SimpleObject, Clone)]
pub struct Review {
    /// Id.
    pub id: ID,
    /// Text.
    pub body: String,
    /// Who wrote it (username provided here).
    #[graphql(provides = "username")]
    pub author: User,
    /// What it is about.
    pub product: Product,
}

/// A user as reviews knows it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    /// Id.
    pub id: ID,
    /// Known here for authors only.
    #[graphql(external)]
    pub username: String,
}

/// A product as reviews knows it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Product {
    /// Code.
    pub upc: String,
}

/// Where a shelf stands. Not marked shareable: its field is inside
/// `Shelf`'s key, which makes it shareable (as Apollo's composer says).
#[derive(SimpleObject, Clone)]
pub struct Location {
    /// Aisle number.
    pub aisle: i32,
}

/// A shelf reference with a nested key (resolved by products).
#[derive(SimpleObject, Clone)]
#[graphql(unresolvable = "id location { aisle }")]
pub struct Shelf {
    /// Id within the aisle.
    pub id: ID,
    /// Where it stands.
    pub location: Location,
}

/// A warehouse reference (resolved by products).
#[derive(SimpleObject, Clone)]
#[graphql(unresolvable = "region code")]
pub struct Warehouse {
    /// Region.
    pub region: String,
    /// Code.
    pub code: String,
}

fn reviews() -> Vec<Review> {
    let user = |id: &str, username: &str| User { id: ID(id.into()), username: username.into() };
    let product = |upc: &str| Product { upc: upc.into() };
    vec![
        Review {
            id: ID("r1".into()),
            body: "Love it".into(),
            author: user("1", "@ada"),
            product: product("1"),
        },
        Review {
            id: ID("r2".into()),
            body: "Too big".into(),
            author: user("1", "@ada"),
            product: product("2"),
        },
        Review {
            id: ID("r3".into()),
            body: "Sturdy".into(),
            author: user("2", "@alan"),
            product: product("1"),
        },
        Review {
            id: ID("r4".into()),
            body: "Comfy".into(),
            author: user("3", "@grace"),
            product: product("3"),
        },
        Review {
            id: ID("r5".into()),
            body: "Bright".into(),
            author: user("2", "@alan"),
            product: product("4"),
        },
    ]
}

#[async_graphql::ComplexObject]
impl User {
    /// Reviews written by this user.
    async fn reviews(&self) -> Vec<Review> {
        reviews().into_iter().filter(|r| r.author.id == self.id).collect()
    }
}

#[async_graphql::ComplexObject]
impl Product {
    /// Reviews of this product.
    async fn reviews(&self) -> Vec<Review> {
        reviews().into_iter().filter(|r| r.product.upc == self.upc).collect()
    }

    /// The shelf it is reviewed from (an entity with a nested key).
    async fn shelf(&self) -> Shelf {
        let aisle = self.upc.parse::<i32>().unwrap_or(0) * 10;
        Shelf { id: ID(format!("s{}", self.upc)), location: Location { aisle } }
    }

    /// Where it ships from (an entity with a composite key).
    async fn warehouse(&self) -> Warehouse {
        Warehouse { region: "eu".into(), code: format!("w{}", self.upc) }
    }
}

/// Anything with reviews: its members are entities owned by other
/// subgraphs (users by accounts, products by products).
#[derive(async_graphql::Interface, Clone)]
#[graphql(field(name = "reviews", ty = "Vec<Review>"))]
pub enum Reviewable {
    /// A user (their reviews).
    User(User),
    /// A product (its reviews).
    Product(Product),
}

/// Root.
pub struct Query;

#[Object]
impl Query {
    /// Every review.
    async fn reviews(&self) -> Vec<Review> {
        reviews()
    }

    /// The most reviewed things, users and products mixed.
    async fn most_reviewed(&self) -> Vec<Reviewable> {
        vec![
            Reviewable::Product(Product { upc: "1".into() }),
            Reviewable::User(User { id: ID("2".into()), username: String::new() }),
        ]
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id, username: String::new() }
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product { upc }
    }
}

/// The schema.
/// Subscription root: reviews as they are "posted".
pub struct Posted;

#[Subscription(name = "Subscription")]
impl Posted {
    /// The reviews in turn, one every `everyMs` milliseconds, `count` of
    /// them (forever when omitted). Each names a product and an author the
    /// router resolves from products and accounts.
    async fn review_posted(
        &self,
        #[graphql(default = 100)] every_ms: u64,
        count: Option<usize>,
    ) -> impl Stream<Item = Review> + use<> {
        let all = reviews();
        let every = std::time::Duration::from_millis(every_ms.max(1));
        let stream = futures::stream::unfold(0usize, move |i| {
            let next = all[i % all.len()].clone();
            async move {
                tokio::time::sleep(every).await;
                Some((next, i + 1))
            }
        });
        futures::StreamExt::take(stream, count.unwrap_or(usize::MAX))
    }
}

/// The reviews schema.
pub fn schema() -> Schema<Query, EmptyMutation, Posted> {
    Schema::build(Query, EmptyMutation, Posted)
        .enable_federation()
        .enable_subscription_in_federation()
        .finish()
}
