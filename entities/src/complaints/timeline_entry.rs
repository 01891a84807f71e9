//! One entry of a complaint timeline: comment, internal note, status change, assignment, escalation, breach.

use sea_orm::entity::prelude::*;

/// A row of `complaint_timeline`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_timeline")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Complaint.
    pub complaint_id: Uuid,
    /// What happened.
    pub kind: EntryKind,
    /// Author; `None` for the system.
    pub author_id: Option<Uuid>,
    /// Text.
    #[sea_orm(column_type = "Text")]
    pub body: Option<String>,
    /// Status before (status changes).
    pub from_status: Option<String>,
    /// Status after (status changes).
    pub to_status: Option<String>,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// What a timeline entry records, stored as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A comment the reporter sees.
    #[sea_orm(string_value = "comment")]
    Comment,
    /// A note for staff only.
    #[sea_orm(string_value = "internal_note")]
    InternalNote,
    /// A status change.
    #[sea_orm(string_value = "status_change")]
    StatusChange,
    /// Reopened after resolution.
    #[sea_orm(string_value = "reopen")]
    Reopen,
    /// Assigned to someone.
    #[sea_orm(string_value = "assignment")]
    Assignment,
    /// Escalated a level.
    #[sea_orm(string_value = "escalation")]
    Escalation,
    /// An SLA target missed.
    #[sea_orm(string_value = "sla_breach")]
    SlaBreach,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
