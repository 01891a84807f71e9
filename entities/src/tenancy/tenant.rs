//! A tenant: one customer organization.

use sea_orm::entity::prelude::*;

/// A row of `tenants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    /// Tenant id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// clinic, trial, organization or partner.
    pub kind: String,
    /// Subscription tier, e.g. free, standard, enterprise.
    pub tier: String,
    /// Most users (not deactivated) the tenant may have.
    pub max_users: i32,
    /// AI tokens the tenant may spend per period.
    pub ai_token_budget: i64,
    /// Inactive tenants keep their data but cannot act.
    pub active: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
