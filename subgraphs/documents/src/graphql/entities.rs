//! The documents of people and records other subgraphs own: `User`,
//! `Appointment` and `Complaint` gain `documents`, each listed with the
//! same checks as `documents`.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use subgraph_kit::{
    graphql::{allow, uuid},
    rbac::Scope,
};

use super::objects::Document;
use crate::domain::documents::{self, Filter};

/// The documents `filter` names that the caller may see, newest first.
async fn listed(ctx: &Context<'_>, mut filter: Filter, first: u64) -> Result<Vec<Document>> {
    let a = allow(ctx, "document", "read").await?;
    if a.scope < Scope::Team {
        filter.own = Some(a.caller.user_id);
    }
    Ok(documents::list(&a.kit.db, a.caller.tenant_id, filter, first)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A person, owned by the tenants subgraph; documents adds their documents.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    /// The user's id.
    pub id: ID,
}

#[ComplexObject]
impl User {
    /// Documents about this person, newest first.
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: u64,
    ) -> Result<Vec<Document>> {
        listed(ctx, Filter { subject_user_id: Some(uuid("id", &self.id)?), ..Filter::default() }, first).await
    }
}

/// An appointment, owned by the scheduling subgraph.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Appointment {
    /// The appointment's id.
    pub id: ID,
}

#[ComplexObject]
impl Appointment {
    /// Documents of this appointment, newest first.
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: u64,
    ) -> Result<Vec<Document>> {
        listed(ctx, Filter { appointment_id: Some(uuid("id", &self.id)?), ..Filter::default() }, first).await
    }
}

/// A complaint, owned by the complaints subgraph.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Complaint {
    /// The complaint's id.
    pub id: ID,
}

#[ComplexObject]
impl Complaint {
    /// Documents of this complaint, newest first.
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: u64,
    ) -> Result<Vec<Document>> {
        listed(ctx, Filter { complaint_id: Some(uuid("id", &self.id)?), ..Filter::default() }, first).await
    }
}

/// Entity resolvers: references become stubs; each field checks.
#[derive(Default)]
pub struct EntityQuery;

#[Object]
impl EntityQuery {
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }

    #[graphql(entity)]
    async fn find_appointment_by_id(&self, id: ID) -> Appointment {
        Appointment { id }
    }

    #[graphql(entity)]
    async fn find_complaint_by_id(&self, id: ID) -> Complaint {
        Complaint { id }
    }
}
