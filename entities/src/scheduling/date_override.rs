//! Working hours of one resource on one local date, replacing its weekly
//! hours that day (an empty list closes the day).

use sea_orm::entity::prelude::*;

/// A row of `scheduling_date_overrides`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduling_date_overrides")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The resource.
    pub resource_id: Uuid,
    /// The date in the resource's time zone.
    pub date: Date,
    /// JSON: `[{"start": "10:00", "end": "14:00"}]`.
    #[sea_orm(column_type = "Text")]
    pub windows: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
