//! Notifications: inbox, preferences, settings, templates, endpoints, deliveries.

pub mod channel;
pub mod delivery;
pub mod endpoint;
pub mod notification;
pub mod preference;
pub mod setting;
pub mod template;

pub use channel::Channel;
