//! API types of recurring series.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};

use super::objects::{Appointment, local};

/// What became of a recurring booking.
#[derive(SimpleObject)]
pub struct SeriesBooking {
    /// The series, unless nothing was booked.
    pub series_id: Option<ID>,
    /// The appointments booked, in time order.
    pub booked: Vec<Appointment>,
    /// The occurrences not booked (in all-or-nothing mode, every
    /// conflict of a series that was therefore not booked).
    pub conflicts: Vec<SeriesConflict>,
}

/// An occurrence that was not booked.
#[derive(SimpleObject)]
pub struct SeriesConflict {
    /// When it would have started.
    pub starts_at: DateTime<Utc>,
    /// That start in the series' time zone.
    pub local_start: String,
    /// `SLOT_TAKEN`, `UNAVAILABLE` or `OUTSIDE_WINDOW`.
    pub reason: String,
    /// Why, for people.
    pub message: String,
}

impl SeriesBooking {
    /// The API form of an outcome; conflicts shown in `zone`.
    pub fn of(o: crate::domain::series::Outcome, zone: &str) -> Self {
        Self {
            series_id: o.series.map(|s| s.id.into()),
            booked: o.booked.into_iter().map(Appointment::from).collect(),
            conflicts: o
                .conflicts
                .into_iter()
                .map(|c| SeriesConflict {
                    local_start: local(c.starts_at, zone),
                    starts_at: c.starts_at,
                    reason: c.reason,
                    message: c.message,
                })
                .collect(),
        }
    }
}
