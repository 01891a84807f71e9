//! API types, converted explicitly from rows.

use async_graphql::{ID, SimpleObject};
use backbone_entities::notifications::{delivery, endpoint, notification, preference, setting};
use chrono::{DateTime, Utc};

use crate::domain::{Channel as StoredChannel, DeliveryStatus as StoredStatus};

subgraph_kit::mirror_enum!(
    /// A delivery channel.
    Channel = StoredChannel {
        /// The in-app inbox.
        InApp,
        /// Signed HTTP POST.
        Webhook,
        /// Email over SMTP.
        Email,
        /// SMS through a webhook-style provider.
        Sms,
        /// Push through a webhook-style provider.
        Push,
    }
);

subgraph_kit::mirror_enum!(
    /// Where a delivery is.
    DeliveryStatus = StoredStatus {
        /// Waiting for its next attempt.
        Pending,
        /// The endpoint took it.
        Delivered,
        /// Out of attempts (see `lastError`).
        Failed,
    }
);

/// A notification in the caller's inbox.
#[derive(SimpleObject, Clone)]
pub struct Notification {
    /// The notification's id; `markNotificationRead` takes it.
    pub id: ID,
    /// Category, e.g. `complaints`.
    pub category: String,
    /// Critical notifications bypass quiet hours and opt-outs.
    pub critical: bool,
    /// A one-line heading, rendered from the category's template.
    pub title: String,
    /// The message, rendered from the category's template.
    pub body: String,
    /// The event's fields, for links (JSON).
    pub data: async_graphql::Json<serde_json::Value>,
    /// Whether it was read.
    pub read: bool,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
    /// When it was created from its event.
    pub created_at: DateTime<Utc>,
    /// The event it came from.
    pub source_event_id: ID,
}

impl From<notification::Model> for Notification {
    fn from(n: notification::Model) -> Self {
        Self {
            id: n.id.into(),
            category: n.category,
            critical: n.critical,
            title: n.title,
            body: n.body,
            data: async_graphql::Json(serde_json::from_str(&n.data).unwrap_or_default()),
            read: n.read_at.is_some(),
            read_at: n.read_at,
            created_at: n.created_at,
            source_event_id: n.source_event_id.into(),
        }
    }
}

/// One preference.
#[derive(SimpleObject)]
pub struct NotificationPreference {
    /// The kind of notification, e.g. `complaints`.
    pub category: String,
    /// The channel the preference is for.
    pub channel: Channel,
    /// Whether the category is sent on the channel (critical notifications ignore it).
    pub enabled: bool,
}

impl From<preference::Model> for NotificationPreference {
    fn from(p: preference::Model) -> Self {
        Self { category: p.category, channel: p.channel.into(), enabled: p.enabled }
    }
}

/// Quiet hours (local time in `timeZone`).
#[derive(SimpleObject)]
pub struct QuietHours {
    /// Start, HH:MM.
    pub start: Option<String>,
    /// End, HH:MM.
    pub end: Option<String>,
    /// The IANA time zone the hours are in, e.g. `Asia/Kolkata`.
    pub time_zone: String,
}

impl From<setting::Model> for QuietHours {
    fn from(s: setting::Model) -> Self {
        Self { start: s.quiet_start, end: s.quiet_end, time_zone: s.time_zone }
    }
}

/// A delivery endpoint (the secret is never shown again).
#[derive(SimpleObject)]
pub struct NotificationEndpoint {
    /// The endpoint's id.
    pub id: ID,
    /// Which channel it delivers on.
    pub channel: Channel,
    /// Where it delivers: an https URL, or an email address.
    pub target: String,
    /// Tenant-wide endpoints get every notification of the tenant.
    pub tenant_wide: bool,
    /// Whether it receives anything.
    pub active: bool,
}

impl From<endpoint::Model> for NotificationEndpoint {
    fn from(e: endpoint::Model) -> Self {
        Self {
            id: e.id.into(),
            channel: e.channel.into(),
            target: e.target,
            tenant_wide: e.user_id.is_none(),
            active: e.active,
        }
    }
}

/// A newly registered endpoint with its signing secret (shown once).
#[derive(SimpleObject)]
pub struct RegisteredEndpoint {
    /// The endpoint registered.
    pub endpoint: NotificationEndpoint,
    /// HMAC-SHA256 signing secret.
    pub secret: String,
}

/// One delivery of a notification to an endpoint.
#[derive(SimpleObject)]
pub struct Delivery {
    /// The delivery's id.
    pub id: ID,
    /// The channel it went out on.
    pub channel: Channel,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts so far, at most `notifications.max_attempts`.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Next attempt (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl From<delivery::Model> for Delivery {
    fn from(d: delivery::Model) -> Self {
        Self {
            id: d.id.into(),
            channel: d.channel.into(),
            status: d.status.into(),
            attempts: d.attempts,
            last_error: d.last_error,
            last_status_code: d.last_status_code,
            delivered_at: d.delivered_at,
            next_attempt_at: d.next_attempt_at,
        }
    }
}

/// Live figures of a tenant; this subgraph adds the inbox figures.
#[derive(SimpleObject)]
pub struct TenantMetrics {
    /// The tenant these figures are about (the federation key).
    pub tenant_id: ID,
    /// Unread notifications across the tenant.
    pub unread_notifications: i64,
}
