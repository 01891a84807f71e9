//! Header names used between clients, the router and subgraphs.

/// Bearer token header.
pub const AUTHORIZATION: &str = "authorization";
/// Partner API key header; the router exchanges it for claims.
pub const API_KEY: &str = "x-api-key";
/// Request id, generated at the edge when absent and propagated everywhere.
pub const REQUEST_ID: &str = "x-request-id";
