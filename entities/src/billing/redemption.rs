//! A coupon redeemed by a customer tenant, with the invoices it has left.

use sea_orm::entity::prelude::*;

/// A row of `billing_coupon_redemptions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_coupon_redemptions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The coupon.
    pub coupon_id: Uuid,
    /// Finalized invoices it still applies to; `None` for every one.
    pub periods_left: Option<i32>,
    /// Redeemed.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
