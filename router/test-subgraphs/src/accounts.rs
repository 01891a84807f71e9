//! accounts: owns `User`.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema, SimpleObject};

/// A user.
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id.
    pub id: ID,
    /// Full name. It overrides a subgraph that is not in the graph
    /// (`legacy`), which composes as Apollo's composer does: with a hint.
    #[graphql(override_from = "legacy")]
    pub name: String,
    /// Handle; reviews can provide it too.
    #[graphql(shareable)]
    pub username: String,
}

fn users() -> Vec<User> {
    [("1", "Ada Lovelace", "@ada"), ("2", "Alan Turing", "@alan"), ("3", "Grace Hopper", "@grace")]
        .into_iter()
        .map(|(id, name, username)| User { id: ID(id.into()), name: name.into(), username: username.into() })
        .collect()
}

/// Root.
pub struct Query;

#[Object]
impl Query {
    /// The signed-in user (always Ada here).
    async fn me(&self) -> Option<User> {
        users().into_iter().next()
    }

    /// Every user.
    async fn users(&self) -> Vec<User> {
        users()
    }

    /// A user by id.
    async fn user(&self, id: ID) -> Option<User> {
        users().into_iter().find(|u| u.id == id)
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        users().into_iter().find(|u| u.id == id)
    }
}

/// The schema.
pub fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}
