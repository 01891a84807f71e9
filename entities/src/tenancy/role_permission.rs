//! A permission granted to a role, with its scope.

use sea_orm::entity::prelude::*;

/// A row of `role_permissions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_permissions")]
pub struct Model {
    /// The role.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: Uuid,
    /// The permission.
    #[sea_orm(primary_key, auto_increment = false)]
    pub permission_id: Uuid,
    /// own, team, tenant or global.
    pub scope: String,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
