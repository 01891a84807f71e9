//! The event envelope every domain event travels in (docs/design.md §6).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One domain event as written to the outbox and published on the bus.
///
/// `id` is the idempotency key: consumers that see the same id twice must
/// apply it once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Unique event id (UUIDv7, so ids sort by time).
    pub id: Uuid,
    /// Event type, e.g. `complaint.status_changed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The tenant the event belongs to; subscribers filter on it.
    pub tenant_id: Uuid,
    /// When the change happened.
    pub occurred_at: DateTime<Utc>,
    /// Who caused it: a user or API key id, `None` for the system.
    pub actor: Option<Uuid>,
    /// Event-specific data.
    pub payload: serde_json::Value,
}

/// Event type names. One constant per type keeps producers and consumers in
/// agreement.
pub mod event_types {
    /// A tenant was provisioned.
    pub const TENANT_PROVISIONED: &str = "tenant.provisioned";
    /// A tenant's settings changed.
    pub const TENANT_UPDATED: &str = "tenant.updated";
    /// A user was invited.
    pub const USER_INVITED: &str = "user.invited";
    /// A user's profile changed.
    pub const USER_UPDATED: &str = "user.updated";
    /// A user was deactivated.
    pub const USER_DEACTIVATED: &str = "user.deactivated";
    /// A role was assigned to or revoked from a user.
    pub const ROLES_CHANGED: &str = "user.roles_changed";
    /// A complaint's status changed.
    pub const COMPLAINT_STATUS_CHANGED: &str = "complaint.status_changed";
    /// A complaint moved up the escalation ladder.
    pub const COMPLAINT_ESCALATED: &str = "complaint.escalated";
    /// An appointment changed.
    pub const APPOINTMENT_UPDATED: &str = "appointment.updated";
    /// A notification was created.
    pub const NOTIFICATION_CREATED: &str = "notification.created";
    /// A consent grant changed.
    pub const CONSENT_CHANGED: &str = "consent.changed";
    /// AI tokens were spent.
    pub const AI_USAGE_RECORDED: &str = "ai.usage_recorded";
    /// A document was signed.
    pub const DOCUMENT_SIGNED: &str = "document.signed";
    /// What a tenant's plan grants changed (a subscription started,
    /// changed plan, ended or was suspended).
    pub const ENTITLEMENTS_CHANGED: &str = "billing.entitlements_changed";
    /// An invoice was finalized.
    pub const INVOICE_FINALIZED: &str = "invoice.finalized";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trips_with_the_wire_field_names() {
        let env = EventEnvelope {
            id: Uuid::now_v7(),
            event_type: event_types::COMPLAINT_STATUS_CHANGED.into(),
            tenant_id: Uuid::now_v7(),
            occurred_at: Utc::now(),
            actor: None,
            payload: serde_json::json!({"complaintId": "c1", "status": "acknowledged"}),
        };
        let value = serde_json::to_value(&env).expect("serialize");
        for key in ["id", "type", "tenant_id", "occurred_at", "actor", "payload"] {
            assert!(value.get(key).is_some(), "missing {key}");
        }
        let back: EventEnvelope = serde_json::from_value(value).expect("deserialize");
        assert_eq!(back, env);
    }
}
