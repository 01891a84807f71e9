//! A waitlist entry: a patient waiting for a service in a time range, and
//! the slot they are offered (a hold) when one frees.

use sea_orm::entity::prelude::*;

/// A row of `waitlist_entries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waitlist_entries")]
pub struct Model {
    /// Id (UUIDv7: first come, first offered).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The service wanted.
    pub service_id: Uuid,
    /// Who waits.
    pub patient_id: Uuid,
    /// Who put them on the list (they, or staff).
    pub added_by: Uuid,
    /// Earliest start wanted.
    pub from_at: DateTimeUtc,
    /// Starts wanted before this.
    pub until_at: DateTimeUtc,
    /// The patient's IANA time zone.
    pub time_zone: String,
    /// Where the entry is.
    pub status: WaitlistStatus,
    /// While offered (and after): the held appointment offered.
    pub offer_id: Option<Uuid>,
    /// Joined.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Where a waitlist entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum WaitlistStatus {
    /// Waiting for a slot to free.
    #[sea_orm(string_value = "waiting")]
    Waiting,
    /// A freed slot is held for them until the hold lapses.
    #[sea_orm(string_value = "offered")]
    Offered,
    /// They confirmed the offer.
    #[sea_orm(string_value = "booked")]
    Booked,
    /// The offer lapsed unconfirmed; the slot went to the next.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// They turned the offer down.
    #[sea_orm(string_value = "declined")]
    Declined,
    /// They left the list, or the range passed.
    #[sea_orm(string_value = "left")]
    Left,
}

impl WaitlistStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Offered => "offered",
            Self::Booked => "booked",
            Self::Expired => "expired",
            Self::Declined => "declined",
            Self::Left => "left",
        }
    }
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
