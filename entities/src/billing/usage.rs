//! Metered usage: one counted event for one metric of one tenant.

use sea_orm::entity::prelude::*;

/// A row of `billing_usage`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_usage")]
pub struct Model {
    /// The customer tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// The metric counted.
    #[sea_orm(primary_key, auto_increment = false)]
    pub metric_id: Uuid,
    /// The event: a bus event's id, or for a product's usage event a
    /// digest of the id it gave (per tenant). The key (tenant, metric,
    /// event) stores each event once per metric.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// When the usage happened (which period it belongs to).
    pub occurred_at: DateTimeUtc,
    /// The event's value for the metric, a decimal as text (`1` for a
    /// count).
    pub quantity: String,
    /// For a unique count: a SHA-256 of the value counted, never the value.
    pub distinct_key: Option<String>,
    /// Where it came from.
    pub source: UsageSource,
    /// When billing recorded it.
    pub recorded_at: DateTimeUtc,
}

/// Where a usage event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum UsageSource {
    /// A platform event on the bus.
    #[sea_orm(string_value = "bus")]
    Bus,
    /// A product's call to the ingestion API.
    #[sea_orm(string_value = "api")]
    Api,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
