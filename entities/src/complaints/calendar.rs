//! Business hours: time zone, weekly hours and holidays.

use sea_orm::entity::prelude::*;

/// A row of `sla_calendars`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_calendars")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Calendar name.
    pub name: String,
    /// IANA time zone, e.g. `Europe/Lisbon`.
    pub time_zone: String,
    /// JSON: `[{"day": 1, "start": "09:00", "end": "17:00"}]`, day 1 = Monday.
    #[sea_orm(column_type = "Text")]
    pub weekly_hours: String,
    /// JSON: `["2026-12-25"]`.
    #[sea_orm(column_type = "Text")]
    pub holidays: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
