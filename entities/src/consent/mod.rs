//! Consent: scopes, the append-only consent history, DSAR requests, retention rules.

pub mod dsar_request;
pub mod record;
pub mod retention_rule;
pub mod scope;
