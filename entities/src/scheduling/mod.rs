//! Scheduling: bookable resources and their availability, services
//! (appointment types), appointments, the reservations that keep a
//! resource from being booked twice, and each appointment's history.

pub mod appointment;
pub mod closure;
pub mod date_override;
pub mod history;
pub mod reservation;
pub mod resource;
pub mod service;
