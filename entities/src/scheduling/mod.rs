//! Scheduling: bookable resources and their availability, services
//! (appointment types), appointments, the reservations that keep a
//! resource from being booked twice, each appointment's history,
//! recurring series, reminders and the waitlist.

pub mod appointment;
pub mod closure;
pub mod date_override;
pub mod history;
pub mod reminder;
pub mod reservation;
pub mod resource;
pub mod series;
pub mod service;
pub mod waitlist;
