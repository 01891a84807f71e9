//! A role assigned to a user, optionally until a time.

use sea_orm::entity::prelude::*;

/// A row of `user_roles`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_roles")]
pub struct Model {
    /// The user.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The role.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: Uuid,
    /// Tenant of both, for scoping.
    pub tenant_id: Uuid,
    /// After this time the assignment grants nothing.
    pub expires_at: Option<DateTimeUtc>,
    /// Who assigned it.
    pub granted_by: Option<Uuid>,
    /// Assignment time.
    pub created_at: DateTimeUtc,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
