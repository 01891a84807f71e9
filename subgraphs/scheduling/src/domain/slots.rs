//! Free-slot search and the choice of resources for one start time: every
//! requirement of the service gets its own resource, open for the
//! appointment and with a seat free for it and its buffers.

use std::collections::HashSet;

use super::{calendar::Calendar, services::Rules};

/// A bookable start with the resources (calendar index, seat) chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Start (epoch seconds).
    pub start: i64,
    /// Calendar index and seat per requirement, in requirement order.
    pub picks: Vec<(usize, i32)>,
}

/// Who may fill each requirement: indexes into the calendars, preferred
/// first.
pub type Candidates = Vec<Vec<usize>>;

/// Resources for an appointment starting at `start`, or `None` when some
/// requirement cannot be met.
pub fn assign(
    rules: &Rules,
    calendars: &[Calendar],
    candidates: &Candidates,
    start: i64,
) -> Option<Vec<(usize, i32)>> {
    let (end, (from, until)) = (start + rules.duration, rules.reserved(start));
    let mut picks = Vec::with_capacity(candidates.len());
    pick(calendars, candidates, (start, end), (from, until), &mut picks).then_some(picks)
}

fn pick(
    calendars: &[Calendar],
    candidates: &Candidates,
    (start, end): (i64, i64),
    reserved: (i64, i64),
    picks: &mut Vec<(usize, i32)>,
) -> bool {
    let Some(options) = candidates.get(picks.len()) else { return true };
    for &c in options {
        if picks.iter().any(|&(p, _)| p == c) || !calendars[c].open_for(start, end) {
            continue;
        }
        if let Some(seat) = calendars[c].free_seat(reserved.0, reserved.1) {
            picks.push((c, seat));
            if pick(calendars, candidates, (start, end), reserved, picks) {
                return true;
            }
            picks.pop();
        }
    }
    false
}

/// Up to `limit` free slots starting in `[from, to)` after `after`, in
/// time order. Start times come from the first requirement's candidates'
/// working hours.
pub fn search(
    rules: &Rules,
    calendars: &[Calendar],
    candidates: &Candidates,
    (from, to): (i64, i64),
    after: Option<i64>,
    limit: usize,
) -> Vec<Slot> {
    let mut starts = HashSet::new();
    if let Some(anchors) = candidates.first() {
        for &c in anchors {
            calendars[c].starts(rules.step, &mut starts);
        }
    }
    let mut starts: Vec<i64> =
        starts.into_iter().filter(|&t| t >= from && t < to && after.is_none_or(|a| t > a)).collect();
    starts.sort_unstable();
    let mut out = Vec::new();
    for start in starts {
        if out.len() >= limit {
            break;
        }
        if let Some(picks) = assign(rules, calendars, candidates, start) {
            out.push(Slot { start, picks });
        }
    }
    out
}
