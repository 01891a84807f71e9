//! API types of metered usage: the ingestion API's events and receipts,
//! and a metric's total over a period.

use async_graphql::{Enum, InputObject, Json, SimpleObject};
use chrono::{DateTime, Utc};

use super::objects::BillableMetric;
use crate::domain::ingest::{Outcome, UsageEvent};

/// A product's usage event.
#[derive(InputObject)]
pub struct UsageEventInput {
    /// The product's id for the event (1 to 128 characters): sending the
    /// same id again records nothing new.
    pub id: String,
    /// The event type the metrics count, e.g. `report.generated`.
    #[graphql(name = "type")]
    pub event_type: String,
    /// When the usage happened (now when absent); a late event counts in
    /// the period it happened in.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The event's data, read by the metrics' fields and filters.
    pub payload: Option<Json<serde_json::Value>>,
}

impl From<UsageEventInput> for UsageEvent {
    fn from(i: UsageEventInput) -> Self {
        Self {
            id: i.id,
            event_type: i.event_type,
            occurred_at: i.occurred_at,
            payload: i.payload.map_or(serde_json::Value::Null, |j| j.0),
        }
    }
}

/// What became of a usage event.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UsageEventStatus {
    /// Counted.
    Recorded,
    /// Sent before: counted once, the first time.
    Duplicate,
    /// No metric counts it; nothing was recorded.
    Unmatched,
    /// Refused (see `reason`); nothing was recorded.
    Rejected,
}

/// The receipt of one usage event.
#[derive(SimpleObject)]
pub struct UsageEventReceipt {
    /// The event's id, as sent.
    pub id: String,
    /// What became of it.
    pub status: UsageEventStatus,
    /// How many metrics counted it.
    pub metrics: i32,
    /// Why it was refused.
    pub reason: Option<String>,
}

impl From<(String, Outcome)> for UsageEventReceipt {
    fn from((id, outcome): (String, Outcome)) -> Self {
        let (status, metrics, reason) = match outcome {
            Outcome::Recorded(n) => (UsageEventStatus::Recorded, i32::try_from(n).unwrap_or(i32::MAX), None),
            Outcome::Duplicate => (UsageEventStatus::Duplicate, 0, None),
            Outcome::Unmatched => (UsageEventStatus::Unmatched, 0, None),
            Outcome::Rejected(r) => (UsageEventStatus::Rejected, 0, Some(r)),
        };
        Self { id, status, metrics, reason }
    }
}

/// How much of a metric the tenant used in a period.
#[derive(SimpleObject)]
pub struct MeteredUsage {
    /// The metric.
    pub metric: BillableMetric,
    /// First instant of the period.
    pub from: DateTime<Utc>,
    /// First instant after it.
    pub to: DateTime<Utc>,
    /// The aggregated quantity, a decimal as text.
    pub quantity: String,
}
