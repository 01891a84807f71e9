//! The notifications domain as plain functions over a database connection:
//! turning events into notifications ([`inbox`]), who wants what
//! ([`preferences`]), where it goes ([`endpoints`]), and getting it there
//! ([`delivery`]).

pub mod data;
pub mod delivery;
pub mod endpoints;
pub mod inbox;
pub mod preferences;
pub mod templates;

use backbone_schema::EventEnvelope;
use uuid::Uuid;

pub use backbone_entities::notifications::{Channel, delivery::DeliveryStatus};

/// Who an event notifies, and how urgently.
#[derive(Debug, Clone, PartialEq)]
pub struct Audience {
    /// Preference category.
    pub category: &'static str,
    /// Critical notifications bypass quiet hours and channel opt-outs.
    pub critical: bool,
    /// Recipients.
    pub users: Vec<Uuid>,
}

/// The documents subgraph's events that notify the people they name.
const DOCUMENT_EVENTS: [&str; 6] = [
    "document.signature_requested",
    "document.signature_reminder",
    "document.completed",
    "document.declined",
    "document.expired",
    "prescription.issued",
];

/// The users an event names in `recipientIds`.
fn recipients(event: &EventEnvelope) -> Vec<Uuid> {
    event.payload["recipientIds"]
        .as_array()
        .map(|ids| ids.iter().filter_map(|v| v.as_str()).filter_map(|s| Uuid::parse_str(s).ok()).collect())
        .unwrap_or_default()
}

/// The audience of an event, `None` for events that notify nobody.
pub fn audience(event: &EventEnvelope) -> Option<Audience> {
    let user =
        |field: &str| event.payload.get(field).and_then(|v| v.as_str()).and_then(|s| Uuid::parse_str(s).ok());
    let critical = event.payload.get("critical").and_then(|v| v.as_bool()).unwrap_or(false);
    if matches!(event.event_type.as_str(), "appointment.reminder_due" | "appointment.waitlist_offered") {
        let users: Vec<Uuid> = user("patientId").into_iter().collect();
        return (!users.is_empty()).then_some(Audience { category: "appointments", critical, users });
    }
    if DOCUMENT_EVENTS.contains(&event.event_type.as_str()) {
        // The documents subgraph names who hears of each step of a signing.
        return (!recipients(event).is_empty()).then(|| Audience {
            category: "documents",
            critical,
            users: recipients(event),
        });
    }
    if matches!(event.event_type.as_str(), "invoice.overdue" | subgraph_kit::quota::SOFT_LIMIT_EXCEEDED) {
        // Billing (or the subgraph that noticed a soft limit) names the
        // tenant's admins.
        let users = recipients(event);
        return (!users.is_empty()).then_some(Audience { category: "billing", critical, users });
    }
    let users: Vec<Uuid> = match event.event_type.as_str() {
        "complaint.assigned" | "complaint.sla_breached" | "complaint.escalated" => {
            user("assigneeId").into_iter().collect()
        }
        "complaint.status_changed" => {
            user("reporterId").filter(|r| Some(*r) != event.actor).into_iter().collect()
        }
        "complaint.commented" => {
            // Whoever did not write the comment hears about it.
            [user("reporterId"), user("assigneeId")]
                .into_iter()
                .flatten()
                .filter(|u| Some(*u) != event.actor)
                .collect()
        }
        _ => return None,
    };
    (!users.is_empty()).then_some(Audience { category: "complaints", critical, users })
}
