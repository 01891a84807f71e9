//! Working hours as people write them: `HH:MM` windows on weekdays or on a
//! date, in a resource's own time zone, and how a local window becomes
//! instants on a given day.
//!
//! Daylight-saving days: a window's ends are read with the "compatible"
//! rule (a time in the skipped hour moves forward by the gap; a time in
//! the repeated hour is its first occurrence), so a 09:00–17:00 day is
//! 09:00–17:00 on the wall clock whatever the offset. Start times are
//! stepped on the wall clock: none falls in the skipped hour and each wall
//! time of the repeated hour is offered once.

use jiff::{
    civil::{Date, DateTime, Time},
    tz::TimeZone,
};
use serde::{Deserialize, Serialize};
use subgraph_kit::{ApiError, ApiResult};

/// Minutes in a day; a window may end at `24:00`.
pub const DAY_MINUTES: u16 = 24 * 60;

/// A local time window, in minutes after midnight (`end` up to 24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    /// First minute.
    pub start: u16,
    /// Minute after the last.
    pub end: u16,
}

/// One weekly window as stored: day 1 = Monday … 7 = Sunday.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DayHours {
    /// ISO weekday.
    pub day: i8,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM` (`24:00` for midnight at the end).
    pub end: String,
}

/// One date's window as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LocalWindow {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// Parses `HH:MM` (00:00–24:00) into minutes.
pub fn minutes(field: &str, text: &str) -> ApiResult<u16> {
    let bad = || ApiError::bad_input(field, format!("{text:?} is not a time of day (HH:MM)"));
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h * 60 + m > DAY_MINUTES {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A window from `start`–`end` text; the end must come after the start.
pub fn window(field: &str, start: &str, end: &str) -> ApiResult<Window> {
    let w = Window { start: minutes(field, start)?, end: minutes(field, end)? };
    if w.end <= w.start {
        return Err(ApiError::bad_input(field, format!("{end} is not after {start}")));
    }
    Ok(w)
}

/// Weekly hours by ISO weekday (index 0 = Monday), each day's windows
/// sorted and not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weekly(pub [Vec<Window>; 7]);

impl Weekly {
    /// Checks stored or submitted weekly hours.
    pub fn parse(field: &str, days: &[DayHours]) -> ApiResult<Self> {
        let mut week: [Vec<Window>; 7] = Default::default();
        for d in days {
            if !(1..=7).contains(&d.day) {
                return Err(ApiError::bad_input(field, format!("day {} is not 1 (Monday) to 7", d.day)));
            }
            week[(d.day - 1) as usize].push(window(field, &d.start, &d.end)?);
        }
        for day in &mut week {
            *day = sorted(field, std::mem::take(day))?;
        }
        Ok(Self(week))
    }

    /// The stored text of `days` after checking it.
    pub fn to_json(days: &[DayHours]) -> String {
        serde_json::to_string(days).unwrap_or_else(|_| "[]".into())
    }

    /// Reads the stored JSON; unreadable hours are no hours (logged).
    pub fn from_json(text: &str) -> Self {
        serde_json::from_str::<Vec<DayHours>>(text)
            .map_err(|e| e.to_string())
            .and_then(|days| Self::parse("weeklyHours", &days).map_err(|e| e.to_string()))
            .unwrap_or_else(|error| {
                tracing::error!(%error, "stored weekly hours unreadable");
                Self::default()
            })
    }

    /// The windows of `date`'s weekday.
    pub fn on(&self, date: Date) -> &[Window] {
        &self.0[(date.weekday().to_monday_one_offset() - 1) as usize]
    }
}

/// A date's windows from stored JSON (an empty list closes the day).
pub fn windows_from_json(text: &str) -> Vec<Window> {
    serde_json::from_str::<Vec<LocalWindow>>(text)
        .ok()
        .and_then(|ws| parse_windows("windows", &ws).ok())
        .unwrap_or_default()
}

/// Checks submitted date windows.
pub fn parse_windows(field: &str, ws: &[LocalWindow]) -> ApiResult<Vec<Window>> {
    sorted(field, ws.iter().map(|w| window(field, &w.start, &w.end)).collect::<ApiResult<_>>()?)
}

fn sorted(field: &str, mut ws: Vec<Window>) -> ApiResult<Vec<Window>> {
    ws.sort();
    if ws.windows(2).any(|p| p[1].start < p[0].end) {
        return Err(ApiError::bad_input(field, "windows of one day overlap"));
    }
    Ok(ws)
}

/// The IANA time zone `name`, or BAD_USER_INPUT on `field`.
pub fn zone(field: &str, name: &str) -> ApiResult<TimeZone> {
    TimeZone::get(name).map_err(|_| ApiError::bad_input(field, format!("unknown time zone {name:?}")))
}

/// The wall-clock time `minute` minutes after midnight of `date`
/// (24:00 is midnight of the next day).
pub fn wall(date: Date, minute: u16) -> DateTime {
    let midnight = date.to_datetime(Time::midnight());
    midnight.checked_add(jiff::Span::new().minutes(i64::from(minute))).unwrap_or(midnight)
}

/// The instant (epoch seconds) of a wall-clock time in `tz`, by the
/// compatible rule.
pub fn instant(tz: &TimeZone, at: DateTime) -> Option<i64> {
    tz.to_ambiguous_timestamp(at).compatible().ok().map(|t| t.as_second())
}

/// The instant of a wall-clock time that exists exactly once or is the
/// first of two; `None` in the skipped hour.
pub fn start_instant(tz: &TimeZone, at: DateTime) -> Option<i64> {
    let ambiguous = tz.to_ambiguous_timestamp(at);
    if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
        return None;
    }
    ambiguous.earlier().ok().map(|t| t.as_second())
}

/// `window` on `date` as instants `[start, end)`.
pub fn span(tz: &TimeZone, date: Date, window: Window) -> Option<(i64, i64)> {
    Some((instant(tz, wall(date, window.start))?, instant(tz, wall(date, window.end))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_parse_and_bad_ones_are_refused() {
        assert_eq!(minutes("t", "09:30").ok(), Some(570));
        assert_eq!(minutes("t", "24:00").ok(), Some(1440));
        for bad in ["9", "9:00", "25:00", "24:01", "09:60", "ab:cd", "-1:00", "009:00"] {
            assert!(minutes("t", bad).is_err(), "{bad}");
        }
        assert!(window("t", "10:00", "09:00").is_err());
    }

    #[test]
    fn a_nine_oclock_start_stays_nine_oclock_on_both_daylight_saving_days() {
        let ny = zone("tz", "America/New_York").expect("zone");
        let nine = Window { start: 9 * 60, end: 17 * 60 };
        // 2026-03-08 spring forward (-05:00 → -04:00), 2026-11-01 fall back.
        let (spring, _) = span(&ny, jiff::civil::date(2026, 3, 8), nine).expect("span");
        let (fall, _) = span(&ny, jiff::civil::date(2026, 11, 1), nine).expect("span");
        assert_eq!(jiff::Timestamp::from_second(spring).expect("ts").to_string(), "2026-03-08T13:00:00Z");
        assert_eq!(jiff::Timestamp::from_second(fall).expect("ts").to_string(), "2026-11-01T14:00:00Z");
    }

    #[test]
    fn the_skipped_hour_has_no_start_and_the_repeated_hour_starts_once() {
        let ny = zone("tz", "America/New_York").expect("zone");
        assert_eq!(start_instant(&ny, wall(jiff::civil::date(2026, 3, 8), 150)), None);
        let repeated = start_instant(&ny, wall(jiff::civil::date(2026, 11, 1), 90)).expect("exists");
        assert_eq!(jiff::Timestamp::from_second(repeated).expect("ts").to_string(), "2026-11-01T05:30:00Z");
    }
}
