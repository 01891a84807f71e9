//! Tables every subgraph writes through the kit: the audit log and the outbox.

pub mod audit_checkpoint;
pub mod audit_event;
pub mod consumed_event;
pub mod outbox;
