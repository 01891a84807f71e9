//! The channels a notification goes out on, stored as text by deliveries,
//! endpoints, preferences and templates; an unknown stored value fails the
//! read.

use sea_orm::entity::prelude::*;

/// A delivery channel.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The in-app inbox.
    #[sea_orm(string_value = "in_app")]
    InApp,
    /// A signed HTTP POST to a user's or the tenant's endpoint.
    #[sea_orm(string_value = "webhook")]
    Webhook,
    /// Email over SMTP.
    #[sea_orm(string_value = "email")]
    Email,
    /// SMS through a webhook-style provider.
    #[sea_orm(string_value = "sms")]
    Sms,
    /// Mobile push through a webhook-style provider.
    #[sea_orm(string_value = "push")]
    Push,
}

impl Channel {
    /// The stored form, as templates and webhook bodies name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InApp => "in_app",
            Self::Webhook => "webhook",
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Push => "push",
        }
    }

    /// Whether it interrupts the person (held back in quiet hours).
    pub fn interrupts(self) -> bool {
        matches!(self, Self::Email | Self::Sms | Self::Push)
    }
}
