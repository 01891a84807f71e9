//! A permission of the global catalog: an action on a resource.

use sea_orm::entity::prelude::*;

/// A row of `permissions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "permissions")]
pub struct Model {
    /// Permission id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Resource, e.g. `user`.
    pub resource: String,
    /// Action, e.g. `invite`.
    pub action: String,
    /// What it allows.
    pub description: String,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
