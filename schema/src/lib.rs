//! Wire contracts shared by the Backbone router and every subgraph.
//!
//! Everything that crosses a process boundary is defined here once: the JWT
//! claims, the header names, the error codes (docs/design.md §5) and the event
//! envelope (docs/design.md §6). The router and the subgraphs depend on this crate
//! and nothing else of each other, so a change here is a change of contract.

pub mod claims;
pub mod error_code;
pub mod event;
pub mod headers;
pub mod roles;

pub use claims::Claims;
pub use error_code::ErrorCode;
pub use event::{EventEnvelope, event_types};
