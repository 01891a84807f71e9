//! A complaint and its SLA clock.

use sea_orm::entity::prelude::*;

/// A row of `complaints`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "complaints")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Public tracking code.
    pub tracking_code: String,
    /// Signed-in reporter; `None` when anonymous.
    pub reporter_id: Option<Uuid>,
    /// Contact an anonymous reporter left, if any.
    pub reporter_contact: Option<String>,
    /// Category.
    pub category: String,
    /// How urgent it is; picks the SLA policy.
    pub priority: Priority,
    /// Region.
    pub region: Option<String>,
    /// Subject.
    pub subject: String,
    /// What happened.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Lifecycle status.
    pub status: ComplaintStatus,
    /// Team handling it.
    pub team_id: Option<Uuid>,
    /// Assigned staff member.
    pub assignee_id: Option<Uuid>,
    /// 0 = not escalated, up to 3.
    pub escalation_level: i32,
    /// SLA policy in force.
    pub policy_id: Option<Uuid>,
    /// When the first response is due (while the clock runs).
    pub first_response_due_at: Option<DateTimeUtc>,
    /// When resolution is due (while the clock runs).
    pub resolution_due_at: Option<DateTimeUtc>,
    /// When staff first responded.
    pub first_responded_at: Option<DateTimeUtc>,
    /// When the clock was paused; `None` while it runs.
    pub paused_at: Option<DateTimeUtc>,
    /// Business seconds left to first response, kept while paused.
    pub first_response_left_secs: Option<i64>,
    /// Business seconds left to resolution, kept while paused.
    pub resolution_left_secs: Option<i64>,
    /// First-response target missed.
    pub first_response_breached: bool,
    /// Resolution target missed.
    pub resolution_breached: bool,
    /// When the next escalation level is due.
    pub next_escalation_at: Option<DateTimeUtc>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Where a complaint is in its lifecycle, stored as text; an unknown
/// stored value fails the read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Filed, nobody has looked yet.
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Staff confirmed receipt (the first response).
    #[sea_orm(string_value = "acknowledged")]
    Acknowledged,
    /// Being worked on.
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    /// Waiting on the complainant; pauses the clock by default.
    #[sea_orm(string_value = "on_hold")]
    OnHold,
    /// Resolved; the complainant may reopen it.
    #[sea_orm(string_value = "resolved")]
    Resolved,
    /// Closed for good (it can still be reopened by staff).
    #[sea_orm(string_value = "closed")]
    Closed,
}

impl ComplaintStatus {
    /// The stored form, as timelines, events and SLA policies name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Acknowledged => "acknowledged",
            Self::InProgress => "in_progress",
            Self::OnHold => "on_hold",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }
}

/// How urgent a complaint is, stored as text; an unknown stored value
/// fails the read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever staff get to it.
    #[sea_orm(string_value = "low")]
    Low,
    /// The default.
    #[sea_orm(string_value = "normal")]
    Normal,
    /// Ahead of normal ones.
    #[sea_orm(string_value = "high")]
    High,
    /// Now.
    #[sea_orm(string_value = "urgent")]
    Urgent,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
