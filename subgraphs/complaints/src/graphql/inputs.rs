//! What clients send besides scalars: a complaint, opening hours, an SLA
//! policy.

use async_graphql::{ID, InputObject};

use super::objects::{ComplaintPriority, ComplaintStatus};

/// A complaint to file.
#[derive(InputObject)]
pub struct FileComplaintInput {
    /// The tenant (organisation) complained to; required when anonymous,
    /// ignored for signed-in reporters (their own tenant).
    pub tenant_id: Option<ID>,
    /// Category, e.g. `billing`.
    pub category: String,
    /// How urgent it is; decides the SLA policy that applies.
    #[graphql(default_with = "ComplaintPriority::Normal")]
    pub priority: ComplaintPriority,
    /// Where it happened, if the reporter says; routing rules may match on it.
    pub region: Option<String>,
    /// A one-line summary (at most 200 characters).
    pub subject: String,
    /// What happened, in the reporter's words.
    pub description: String,
    /// How to reach an anonymous reporter.
    pub contact: Option<String>,
}

/// One weekly opening window.
#[derive(InputObject)]
pub struct WindowInput {
    /// ISO weekday, 1 = Monday.
    pub day: u32,
    /// Opening, HH:MM.
    pub start: String,
    /// Closing, HH:MM.
    pub end: String,
}

/// An SLA policy for one priority.
#[derive(InputObject)]
pub struct SlaPolicyInput {
    /// The priority it applies to.
    pub priority: ComplaintPriority,
    /// Business seconds to first response.
    pub first_response_seconds: i32,
    /// Business seconds to resolution.
    pub resolution_seconds: i32,
    /// Calendar (omit for around the clock).
    pub calendar_id: Option<ID>,
    /// Open statuses that pause the clock.
    #[graphql(default_with = "vec![ComplaintStatus::OnHold]")]
    pub pause_statuses: Vec<ComplaintStatus>,
    /// Seconds between escalation levels.
    #[graphql(default = 3600)]
    pub escalation_seconds: i32,
    /// Teams of escalation levels 1–3.
    #[graphql(default)]
    pub ladder: Vec<ID>,
}
