//! Tables every subgraph writes through the kit: the audit log, the
//! outbox, and what consumers handled or gave up on.

pub mod audit_checkpoint;
pub mod audit_event;
pub mod consumed_event;
pub mod dead_event;
pub mod outbox;
