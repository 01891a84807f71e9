//! A plan version's charge for one billable metric.

use sea_orm::entity::prelude::*;

/// A row of `billing_plan_charges`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_plan_charges")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The plan version.
    pub plan_id: Uuid,
    /// The metric charged for.
    pub metric_id: Uuid,
    /// Order on the invoice.
    pub position: i32,
    /// JSON: the charge model (billing's `ChargeModel`).
    pub model: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
