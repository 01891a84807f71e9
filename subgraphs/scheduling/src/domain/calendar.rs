//! A resource's calendar over a search range: when it is open (working
//! hours, date overrides, holidays and time off applied, as instants) and
//! which seats are taken when (reservations of live appointments).
//! Everything is epoch seconds; the searches compare integers.

use std::collections::{HashMap, HashSet};

use backbone_entities::scheduling::{closure, date_override, reservation, resource};
use chrono::{DateTime, Utc};
use jiff::{civil::Date, tz::TimeZone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Condition};
use uuid::Uuid;

use super::hours::{self, Weekly, Window};
use subgraph_kit::ApiResult;

/// One resource over a range.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The resource.
    pub resource: resource::Model,
    tz: TimeZone,
    /// Local windows the resource is open in, per date.
    local: Vec<(Date, Window)>,
    /// Open intervals, sorted and disjoint.
    open: Vec<(i64, i64)>,
    /// Taken intervals per seat, sorted by start.
    seats: Vec<Vec<(i64, i64)>>,
}

impl Calendar {
    /// Whether `[a, b)` lies within one open interval.
    pub fn open_for(&self, a: i64, b: i64) -> bool {
        let i = self.open.partition_point(|&(s, _)| s <= a);
        i > 0 && self.open[i - 1].1 >= b
    }

    /// A seat free for all of `[a, b)`, lowest first.
    pub fn free_seat(&self, a: i64, b: i64) -> Option<i32> {
        self.seats.iter().position(|taken| !overlaps(taken, a, b)).map(|s| s as i32)
    }

    /// Candidate start instants: each open window's start, stepped by
    /// `step` minutes on the wall clock; a wall time in the skipped hour is
    /// left out, one in the repeated hour counts once.
    pub fn starts(&self, step: u16, into: &mut HashSet<i64>) {
        for &(date, w) in &self.local {
            let mut minute = w.start;
            while minute < w.end {
                if let Some(t) = hours::start_instant(&self.tz, hours::wall(date, minute)) {
                    into.insert(t);
                }
                minute += step.max(1);
            }
        }
    }

    /// Marks `[a, b)` taken on `seat` (a booking made in this pass).
    pub fn take(&mut self, seat: i32, a: i64, b: i64) {
        if let Some(taken) = self.seats.get_mut(seat as usize) {
            let i = taken.partition_point(|&(s, _)| s < a);
            taken.insert(i, (a, b));
        }
    }
}

/// Whether any interval of sorted `taken` overlaps `[a, b)`.
fn overlaps(taken: &[(i64, i64)], a: i64, b: i64) -> bool {
    // Intervals starting before `b` may overlap; bookings on one seat do
    // not overlap each other, so their ends are sorted too.
    let i = taken.partition_point(|&(s, _)| s < b);
    i > 0 && taken[i - 1].1 > a
}

/// The longest a reservation can be, in seconds: a day-long service with
/// the largest buffers either side (services.rs bounds them).
pub const LONGEST_RESERVATION: i64 = (1440 + 2 * 240) * 60;

/// The data a set of calendars is built from.
pub struct Sources {
    overrides: HashMap<(Uuid, Date), Vec<Window>>,
    holidays: HashSet<Date>,
    time_off: HashMap<Uuid, Vec<(i64, i64)>>,
    taken: HashMap<Uuid, Vec<(i32, i64, i64)>>,
}

/// Reads what the calendars of `resources` need over `[from, to)` (epoch
/// seconds), as seen at `now`; `excluding` leaves one appointment's own
/// reservations out (rescheduling it).
pub async fn sources(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    resources: &[resource::Model],
    (from, to): (i64, i64),
    now: DateTime<Utc>,
    excluding: Option<Uuid>,
) -> ApiResult<Sources> {
    use sea_orm::sea_query::ExprTrait as _;
    let ids: Vec<Uuid> = resources.iter().map(|r| r.id).collect();
    // Dates in any zone: a day either side.
    let (first, last) = (to_utc(from - 86_400), to_utc(to + 86_400));
    let (first_date, last_date) = (first.date_naive(), last.date_naive());
    let overrides = date_override::Entity::find()
        .filter(date_override::Column::TenantId.eq(tenant_id))
        .filter(date_override::Column::ResourceId.is_in(ids.clone()))
        .filter(date_override::Column::Date.between(first_date, last_date))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| Some(((o.resource_id, civil(o.date)?), hours::windows_from_json(&o.windows))))
        .collect();
    let closures = closure::Entity::find()
        .filter(closure::Column::TenantId.eq(tenant_id))
        .filter(
            Condition::any()
                .add(
                    closure::Column::ResourceId
                        .is_null()
                        .and(closure::Column::Date.between(first_date, last_date)),
                )
                .add(
                    closure::Column::ResourceId
                        .is_in(ids.clone())
                        .and(closure::Column::StartsAt.lt(last))
                        .and(closure::Column::EndsAt.gt(first)),
                ),
        )
        .all(db)
        .await?;
    let mut holidays = HashSet::new();
    let mut time_off: HashMap<Uuid, Vec<(i64, i64)>> = HashMap::new();
    for c in closures {
        match (c.resource_id, c.date.and_then(civil), c.starts_at, c.ends_at) {
            (None, Some(date), _, _) => {
                holidays.insert(date);
            }
            (Some(r), _, Some(s), Some(e)) => {
                time_off.entry(r).or_default().push((s.timestamp(), e.timestamp()))
            }
            _ => {}
        }
    }
    // Bounded on both sides of the (resource, start) index: no
    // reservation is longer than LONGEST_RESERVATION.
    let mut q = reservation::Entity::find()
        .select_only()
        .columns([
            reservation::Column::ResourceId,
            reservation::Column::Seat,
            reservation::Column::StartsAt,
            reservation::Column::EndsAt,
        ])
        .filter(reservation::Column::TenantId.eq(tenant_id))
        .filter(reservation::Column::ResourceId.is_in(ids))
        .filter(reservation::Column::StartsAt.gt(to_utc(from - LONGEST_RESERVATION)))
        .filter(reservation::Column::StartsAt.lt(to_utc(to)))
        .filter(reservation::Column::EndsAt.gt(to_utc(from)))
        .filter(reservation::Column::Released.eq(false))
        .filter(
            Condition::any()
                .add(reservation::Column::HoldExpiresAt.is_null())
                .add(reservation::Column::HoldExpiresAt.gt(now)),
        );
    if let Some(own) = excluding {
        q = q.filter(reservation::Column::AppointmentId.ne(own));
    }
    let mut taken: HashMap<Uuid, Vec<(i32, i64, i64)>> = HashMap::new();
    let rows: Vec<(Uuid, i32, DateTime<Utc>, DateTime<Utc>)> = q.into_tuple().all(db).await?;
    for (resource_id, seat, starts_at, ends_at) in rows {
        taken.entry(resource_id).or_default().push((seat, starts_at.timestamp(), ends_at.timestamp()));
    }
    Ok(Sources { overrides, holidays, time_off, taken })
}

impl Sources {
    /// The calendar of `resource` over `[from, to)`.
    pub fn calendar(&self, resource: &resource::Model, range: (i64, i64)) -> Calendar {
        self.build(resource, range, true)
    }

    /// The calendar of `resource` as if nothing were booked.
    pub fn calendar_unbooked(&self, resource: &resource::Model, range: (i64, i64)) -> Calendar {
        self.build(resource, range, false)
    }

    fn build(&self, resource: &resource::Model, (from, to): (i64, i64), booked: bool) -> Calendar {
        let tz = hours::zone("timeZone", &resource.time_zone).unwrap_or(TimeZone::UTC);
        let weekly = Weekly::from_json(&resource.weekly_hours);
        let start_date = tz.to_datetime(ts(from - 86_400)).date();
        let end_date = tz.to_datetime(ts(to + 86_400)).date();
        let mut local = Vec::new();
        let mut open = Vec::new();
        let mut date = start_date;
        while date <= end_date {
            if !self.holidays.contains(&date) {
                let windows = match self.overrides.get(&(resource.id, date)) {
                    Some(ws) => ws.as_slice(),
                    None => weekly.on(date),
                };
                for &w in windows {
                    if let Some((a, b)) = hours::span(&tz, date, w)
                        && b > from
                        && a < to
                    {
                        local.push((date, w));
                        open.push((a, b));
                    }
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        open.sort_unstable();
        let open = subtract(merge(open), self.time_off.get(&resource.id).map_or(&[][..], Vec::as_slice));
        let mut seats = vec![Vec::new(); resource.capacity.max(1) as usize];
        let taken = if booked { self.taken.get(&resource.id).map_or(&[][..], Vec::as_slice) } else { &[] };
        for &(seat, a, b) in taken {
            if let Some(s) = seats.get_mut(seat as usize) {
                s.push((a, b));
            }
        }
        for s in &mut seats {
            s.sort_unstable();
        }
        Calendar { resource: resource.clone(), tz, local, open, seats }
    }
}

fn merge(sorted: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn subtract(open: Vec<(i64, i64)>, away: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::with_capacity(open.len());
    for (mut a, b) in open {
        let mut cut: Vec<&(i64, i64)> = away.iter().filter(|&&(s, e)| s < b && e > a).collect();
        cut.sort_unstable();
        for &(s, e) in cut {
            if s > a {
                out.push((a, s.min(b)));
            }
            a = a.max(e);
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

fn ts(second: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(second).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Epoch seconds as a chrono instant.
pub fn to_utc(second: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(second, 0).unwrap_or_default()
}

fn civil(d: chrono::NaiveDate) -> Option<Date> {
    use chrono::Datelike;
    Date::new(i16::try_from(d.year()).ok()?, d.month() as i8, d.day() as i8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_off_cuts_open_hours_and_taken_seats_are_seen() {
        assert_eq!(subtract(vec![(0, 100)], &[(20, 30), (90, 120)]), vec![(0, 20), (30, 90)]);
        assert_eq!(merge(vec![(0, 10), (10, 20), (30, 40)]), vec![(0, 20), (30, 40)]);
        let taken = [(10, 20), (30, 40)];
        assert!(overlaps(&taken, 15, 16));
        assert!(!overlaps(&taken, 20, 30));
        assert!(overlaps(&taken, 0, 11));
        assert!(!overlaps(&taken, 40, 50));
    }
}
