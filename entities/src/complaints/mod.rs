//! Complaints: teams, routing, SLA calendars and policies, complaints, timeline.

pub mod team;
pub mod team_member;
pub mod routing_rule;
pub mod calendar;
pub mod policy;
pub mod complaint;
pub mod timeline_entry;
