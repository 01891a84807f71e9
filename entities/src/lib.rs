//! SeaORM entities of Backbone, one module per domain.
//!
//! These are table shapes, not API shapes: GraphQL types live in each
//! subgraph and are converted from these models explicitly.

pub mod ai;
pub mod complaints;
pub mod consent;
pub mod memory;
pub mod notifications;
pub mod platform;
pub mod tenancy;
