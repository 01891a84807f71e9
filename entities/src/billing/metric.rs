//! A billable metric: an aggregation over events of one type.

use sea_orm::entity::prelude::*;

/// A row of `billable_metrics`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billable_metrics")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code, e.g. `ai_tokens`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// How events add up.
    pub aggregation: Aggregation,
    /// The event type counted, e.g. `ai.usage_recorded`.
    pub event_type: String,
    /// The payload field summed, maxed, counted or read (not for `count`).
    pub field: Option<String>,
    /// JSON object: payload fields and the values an event must have.
    pub filters: String,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// How a metric's events add up over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Aggregation {
    /// How many events.
    #[sea_orm(string_value = "count")]
    Count,
    /// The sum of a field.
    #[sea_orm(string_value = "sum")]
    Sum,
    /// The largest value of a field.
    #[sea_orm(string_value = "max")]
    Max,
    /// How many distinct values of a field.
    #[sea_orm(string_value = "unique_count")]
    UniqueCount,
    /// The last value of a field.
    #[sea_orm(string_value = "latest")]
    Latest,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
