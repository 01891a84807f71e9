//! A recurring series: one booking request expanded by its rule into
//! appointments that each name the series.

use sea_orm::entity::prelude::*;

/// A row of `appointment_series`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_series")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The service booked.
    pub service_id: Uuid,
    /// Who it is for.
    pub patient_id: Uuid,
    /// Who booked it.
    pub booked_by: Uuid,
    /// The RRULE as given.
    pub rule: String,
    /// IANA zone whose wall-clock time the occurrences keep.
    pub time_zone: String,
    /// How conflicts were handled.
    pub mode: SeriesMode,
    /// The request's idempotency key, unique per booker.
    pub idempotency_key: Option<String>,
    /// JSON list of the occurrences not booked, with why.
    pub conflicts: String,
    /// When it was booked.
    pub created_at: DateTimeUtc,
}

/// What a series does when an occurrence cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SeriesMode {
    /// Books every occurrence or none.
    #[sea_orm(string_value = "all_or_nothing")]
    AllOrNothing,
    /// Books the free occurrences and reports the others.
    #[sea_orm(string_value = "book_available")]
    BookAvailable,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
