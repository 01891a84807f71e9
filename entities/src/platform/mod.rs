//! Tables every subgraph writes through the kit: the audit log, the
//! outbox, what consumers handled or gave up on, and the entitlement
//! quotas of the subgraphs that spend them.

pub mod audit_checkpoint;
pub mod audit_event;
pub mod consumed_event;
pub mod dead_event;
pub mod entitlement_quota;
pub mod outbox;
