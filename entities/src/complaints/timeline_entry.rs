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
    /// comment, internal_note, status_change, assignment, escalation, sla_breach.
    pub kind: String,
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

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
