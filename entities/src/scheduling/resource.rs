//! A bookable resource: a person (linked to a user), a room or a piece of
//! equipment, with its weekly working hours in its own time zone.

use sea_orm::entity::prelude::*;

/// A row of `scheduling_resources`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "scheduling_resources")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Person, room or equipment.
    pub kind: ResourceKind,
    /// What sort of person, room or device it is (`clinician`,
    /// `exam_room`, `ecg`); services ask for resources by kind and category.
    pub category: String,
    /// Display name.
    pub name: String,
    /// The user a person resource is.
    pub user_id: Option<Uuid>,
    /// How many appointments it takes at once (seats).
    pub capacity: i32,
    /// IANA time zone its working hours are in.
    pub time_zone: String,
    /// JSON: `[{"day": 1, "start": "09:00", "end": "17:00"}]`, day 1 = Monday.
    #[sea_orm(column_type = "Text")]
    pub weekly_hours: String,
    /// Inactive resources are never offered or booked.
    pub active: bool,
    /// A number unique to this resource across all tenants, the
    /// resource's coordinate in the database's no-double-booking
    /// constraint (Postgres exclusion constraints index numbers, not UUIDs,
    /// without an extension).
    #[sea_orm(unique)]
    pub lock_key: i64,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// What a resource is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A person (clinician, teacher), linked to a user.
    #[sea_orm(string_value = "person")]
    Person,
    /// A room.
    #[sea_orm(string_value = "room")]
    Room,
    /// A device or other equipment.
    #[sea_orm(string_value = "equipment")]
    Equipment,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
