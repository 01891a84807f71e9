//! SeaORM entities of Backbone, one module per domain.
//!
//! These are table shapes, not API shapes: GraphQL types live in each
//! subgraph and are converted from these models explicitly.

pub mod ai;
pub mod billing;
pub mod complaints;
pub mod consent;
pub mod documents;
pub mod memory;
pub mod notifications;
pub mod platform;
pub mod scheduling;
pub mod sync;
pub mod tenancy;

/// An entity whose rows each belong to one tenant. The kit's
/// `tenancy::Ref` resolves an id of such an entity only within the
/// caller's tenant, which is how every id a request names is checked.
pub trait TenantOwned: sea_orm::EntityTrait {
    /// The column holding the owning tenant's id.
    const TENANT: Self::Column;
    /// What a row is called in an error ("user", "team").
    const NOUN: &'static str;
}

/// Implements [`TenantOwned`] for entities with a `tenant_id` column.
macro_rules! tenant_owned {
    ($($entity:path => $noun:literal),* $(,)?) => {
        $(impl TenantOwned for $entity {
            const TENANT: <$entity as sea_orm::EntityTrait>::Column =
                <$entity as sea_orm::EntityTrait>::Column::TenantId;
            const NOUN: &'static str = $noun;
        })*
    };
}

tenant_owned! {
    tenancy::user::Entity => "user",
    tenancy::api_key::Entity => "API key",
    consent::dsar_request::Entity => "DSAR request",
    complaints::team::Entity => "complaint team",
    complaints::complaint::Entity => "complaint",
    complaints::calendar::Entity => "SLA calendar",
    scheduling::resource::Entity => "resource",
    scheduling::service::Entity => "service",
    scheduling::appointment::Entity => "appointment",
    scheduling::closure::Entity => "time off or holiday",
    billing::invoice::Entity => "invoice",
    documents::template::Entity => "template",
    documents::document::Entity => "document",
    documents::version::Entity => "document version",
    documents::signer::Entity => "signer",
    sync::device::Entity => "device",
    sync::quarantine::Entity => "quarantined event",
    sync::event::Entity => "synced event",
    sync::event_type::Entity => "event type",
    sync::assignment::Entity => "assignment",
}
