//! Real time end to end: complaints, notifications and live metrics
//! through the router over real WebSockets (issue 4).

pub(crate) mod appointments;
mod complaints;
pub(crate) mod durability;
mod isolation;
mod refusals;
mod replicas;
pub(crate) mod scene;
mod sla;
