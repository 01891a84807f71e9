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
    /// What kind of organization it is.
    pub kind: TenantType,
    /// Its subscription tier.
    pub tier: SubscriptionTier,
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

/// What kind of organization a tenant is, stored as text; an unknown
/// stored value fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TenantType {
    /// A clinic or practice.
    #[sea_orm(string_value = "clinic")]
    Clinic,
    /// Trying the platform.
    #[sea_orm(string_value = "trial")]
    Trial,
    /// Any other organization (a school, a network).
    #[sea_orm(string_value = "organization")]
    Organization,
    /// An integration partner.
    #[sea_orm(string_value = "partner")]
    Partner,
}

/// A tenant's subscription tier, stored as text; an unknown stored value
/// fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SubscriptionTier {
    /// No charge.
    #[sea_orm(string_value = "free")]
    Free,
    /// The standard plan.
    #[sea_orm(string_value = "standard")]
    Standard,
    /// More users and limits.
    #[sea_orm(string_value = "professional")]
    Professional,
    /// Contracted terms.
    #[sea_orm(string_value = "enterprise")]
    Enterprise,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
