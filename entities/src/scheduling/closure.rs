//! Time a resource is away (time off: an interval of instants) or a
//! holiday of the whole tenant (a local date, closed in each resource's
//! own time zone).

use sea_orm::entity::prelude::*;

/// A row of `scheduling_closures`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduling_closures")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The resource away; `None` for a holiday of the whole tenant.
    pub resource_id: Option<Uuid>,
    /// Time off: from (with `ends_at`).
    pub starts_at: Option<DateTimeUtc>,
    /// Time off: until.
    pub ends_at: Option<DateTimeUtc>,
    /// Holiday: the local date.
    pub date: Option<Date>,
    /// Why (shown to staff only).
    pub reason: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
