//! One line of an invoice.

use sea_orm::entity::prelude::*;

/// A row of `billing_invoice_lines`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_invoice_lines")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// Order on the invoice.
    pub position: i32,
    /// What it charges for.
    pub kind: LineKind,
    /// What the customer reads.
    pub description: String,
    /// The metric, for a usage line.
    pub metric_id: Option<Uuid>,
    /// The plan version it comes from.
    pub plan_id: Option<Uuid>,
    /// Units (usage) or the share of the period (fee), a decimal as text.
    pub quantity: String,
    /// The line's amount in minor units.
    pub amount: i64,
    /// JSON: how it was priced (tiers and their parts).
    pub detail: String,
    /// First instant it covers.
    pub from_at: DateTimeUtc,
    /// First instant after it.
    pub to_at: DateTimeUtc,
}

/// What a line charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum LineKind {
    /// A plan's fee for (part of) the period.
    #[sea_orm(string_value = "fee")]
    Fee,
    /// A usage charge.
    #[sea_orm(string_value = "usage")]
    Usage,
    /// Usage of an earlier, finalized period reported after its invoice.
    #[sea_orm(string_value = "late_usage")]
    LateUsage,
    /// A coupon's discount (negative).
    #[sea_orm(string_value = "discount")]
    Discount,
    /// A correction added by the operator during the grace period.
    #[sea_orm(string_value = "adjustment")]
    Adjustment,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
