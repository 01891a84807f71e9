//! Notifications: inbox, preferences, settings, templates, endpoints, deliveries.

pub mod notification;
pub mod preference;
pub mod setting;
pub mod template;
pub mod endpoint;
pub mod delivery;
