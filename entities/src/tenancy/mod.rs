//! The tenants domain: tenants, users, roles, permissions, API keys.

pub mod api_key;
pub mod permission;
pub mod role;
pub mod role_permission;
pub mod tenant;
pub mod user;
pub mod user_role;
