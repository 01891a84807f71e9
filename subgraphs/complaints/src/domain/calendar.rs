//! Business-hours arithmetic for SLA clocks: "what instant is N business
//! seconds after t" and "how many business seconds lie between a and b",
//! over a calendar of weekly hours in a time zone, minus holidays.
//! Pure functions, so the SLA engine's timing is tested without a clock.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use subgraph_kit::{ApiError, ApiResult};

/// Days searched before giving up (a calendar with hours always finds one
/// within a week plus its holidays).
const HORIZON_DAYS: i64 = 800;

/// Opening hours on one weekday, local time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub day: u32,
    /// Opening, `HH:MM`.
    pub start: String,
    /// Closing, `HH:MM`; after `start`.
    pub end: String,
}

/// A parsed, validated calendar; `None` in policies means around the clock.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    windows: Vec<(u32, NaiveTime, NaiveTime)>,
    holidays: HashSet<NaiveDate>,
}

impl Calendar {
    /// Validates and builds a calendar.
    pub fn new(time_zone: &str, windows: &[Window], holidays: &[String]) -> ApiResult<Self> {
        let tz: Tz = time_zone
            .parse()
            .map_err(|_| ApiError::bad_input("timeZone", format!("unknown time zone `{time_zone}`")))?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| ApiError::bad_input("weeklyHours", format!("`{s}` is not HH:MM")))
        };
        let mut parsed = Vec::with_capacity(windows.len());
        for w in windows {
            let (start, end) = (time(&w.start)?, time(&w.end)?);
            if !(1..=7).contains(&w.day) || start >= end {
                return Err(ApiError::bad_input(
                    "weeklyHours",
                    "each window needs day 1–7 and start before end",
                ));
            }
            parsed.push((w.day, start, end));
        }
        if parsed.is_empty() {
            return Err(ApiError::bad_input("weeklyHours", "a calendar needs at least one window"));
        }
        parsed.sort_by_key(|&(d, s, _)| (d, s));
        let holidays = holidays
            .iter()
            .map(|h| {
                NaiveDate::parse_from_str(h, "%Y-%m-%d")
                    .map_err(|_| ApiError::bad_input("holidays", format!("`{h}` is not YYYY-MM-DD")))
            })
            .collect::<ApiResult<_>>()?;
        Ok(Self { tz, windows: parsed, holidays })
    }

    /// The open intervals (UTC) of one local date.
    fn open_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let day = date.weekday().number_from_monday();
        let at = |t: NaiveTime| {
            // A time in a DST gap does not exist; take the instant after it.
            let local = date.and_time(t);
            self.tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| self.tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
                .map(|d| d.with_timezone(&Utc))
        };
        self.windows.iter().filter(|w| w.0 == day).filter_map(|&(_, s, e)| Some((at(s)?, at(e)?))).collect()
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }
}

/// The instant `seconds` business seconds after `from`.
pub fn add_business(calendar: Option<&Calendar>, from: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let Some(cal) = calendar else { return from + Duration::seconds(seconds) };
    let mut left = seconds.max(0);
    let start_day = cal.local_date(from);
    for offset in 0..HORIZON_DAYS {
        for (open, close) in cal.open_on(start_day + Duration::days(offset)) {
            let begin = open.max(from);
            if begin >= close {
                continue;
            }
            let available = (close - begin).num_seconds();
            if left <= available {
                return begin + Duration::seconds(left);
            }
            left -= available;
        }
    }
    from + Duration::days(HORIZON_DAYS)
}

/// Business seconds between `from` and `to` (0 when `to` is not later).
pub fn business_between(calendar: Option<&Calendar>, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let Some(cal) = calendar else { return (to - from).num_seconds() };
    let mut total = 0;
    let (first, last) = (cal.local_date(from), cal.local_date(to));
    let days = (last - first).num_days().min(HORIZON_DAYS);
    for offset in 0..=days {
        for (open, close) in cal.open_on(first + Duration::days(offset)) {
            let (a, b) = (open.max(from), close.min(to));
            if a < b {
                total += (b - a).num_seconds();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays_9_to_17(tz: &str, holidays: &[&str]) -> Calendar {
        let windows: Vec<Window> =
            (1..=5).map(|day| Window { day, start: "09:00".into(), end: "17:00".into() }).collect();
        let holidays: Vec<String> = holidays.iter().map(|h| h.to_string()).collect();
        Calendar::new(tz, &windows, &holidays).expect("valid calendar")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("timestamp")
    }

    #[test]
    fn friday_evening_rolls_to_monday() {
        let cal = weekdays_9_to_17("UTC", &[]);
        // Friday 2026-11-20 16:00 + 2h business = Monday 10:00.
        let due = add_business(Some(&cal), utc("2026-11-20T16:00:00Z"), 7200);
        assert_eq!(due, utc("2026-11-23T10:00:00Z"));
        assert_eq!(business_between(Some(&cal), utc("2026-11-20T16:00:00Z"), due), 7200);
    }

    #[test]
    fn holidays_and_time_zones_count() {
        // Lisbon is UTC+0 in winter; New York is UTC-5.
        let cal = weekdays_9_to_17("America/New_York", &["2026-11-26"]);
        // Wednesday 16:00 NY (21:00 UTC) + 2h: 1h Wed, Thursday holiday, 1h Friday → Fri 10:00 NY.
        let due = add_business(Some(&cal), utc("2026-11-25T21:00:00Z"), 7200);
        assert_eq!(due, utc("2026-11-27T15:00:00Z"));
    }

    #[test]
    fn around_the_clock_without_calendar() {
        let t = utc("2026-11-22T03:00:00Z");
        assert_eq!(add_business(None, t, 60), utc("2026-11-22T03:01:00Z"));
        assert_eq!(business_between(None, t, utc("2026-11-22T03:01:00Z")), 60);
    }

    #[test]
    fn bad_calendars_are_refused() {
        let w = vec![Window { day: 8, start: "09:00".into(), end: "17:00".into() }];
        assert!(Calendar::new("UTC", &w, &[]).is_err());
        assert!(Calendar::new("Mars/Base", &[], &[]).is_err());
        let w = vec![Window { day: 1, start: "17:00".into(), end: "09:00".into() }];
        assert!(Calendar::new("UTC", &w, &[]).is_err());
    }
}
