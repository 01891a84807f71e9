//! A user of one tenant.

use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// User id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Email, lower-cased, unique per tenant.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Where the user is in their life in the tenant.
    pub status: UserStatus,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Where a user is in their life in the tenant, stored as text. A stored
/// value outside these fails the read loudly rather than passing for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum UserStatus {
    /// Invited, not signed in yet.
    #[sea_orm(string_value = "invited")]
    Invited,
    /// Signed in at least once.
    #[sea_orm(string_value = "active")]
    Active,
    /// Keeps their history; granted nothing.
    #[sea_orm(string_value = "deactivated")]
    Deactivated,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
