//! SLA targets and escalation ladder for one priority.

use sea_orm::entity::prelude::*;

/// A row of `sla_policies`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Priority it applies to.
    pub priority: super::complaint::Priority,
    /// Business seconds to the first response.
    pub first_response_seconds: i32,
    /// Business seconds to resolution.
    pub resolution_seconds: i32,
    /// Business-hours calendar; `None` = around the clock.
    pub calendar_id: Option<Uuid>,
    /// JSON list of statuses that pause the clock.
    #[sea_orm(column_type = "Text")]
    pub pause_statuses: String,
    /// Seconds between escalation levels after a breach.
    pub escalation_seconds: i32,
    /// JSON list of team ids for escalation levels 1, 2, 3.
    #[sea_orm(column_type = "Text")]
    pub ladder: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
