//! Complaints: teams, routing, SLA calendars and policies, complaints, timeline.

pub mod calendar;
pub mod complaint;
pub mod policy;
pub mod routing_rule;
pub mod team;
pub mod team_member;
pub mod timeline_entry;
