//! Billing periods: whole intervals counted from a subscription's anchor,
//! and an amount prorated to the part of a period a stretch covers.

use backbone_entities::billing::plan::BillingInterval;
use chrono::{DateTime, Months, Utc};
use rust_decimal::Decimal;

fn months(interval: BillingInterval) -> u32 {
    match interval {
        BillingInterval::Monthly => 1,
        BillingInterval::Yearly => 12,
    }
}

/// The end of the period that contains `start`: the first instant
/// `anchor + n intervals` after it. Months are counted from the anchor,
/// not from the last renewal, so the 31st renews on Feb 28 and on Mar 31.
pub fn period_end(anchor: DateTime<Utc>, interval: BillingInterval, start: DateTime<Utc>) -> DateTime<Utc> {
    let step = months(interval);
    let mut n = 1;
    loop {
        let Some(end) = anchor.checked_add_months(Months::new(step * n)) else {
            return DateTime::<Utc>::MAX_UTC;
        };
        if end > start {
            return end;
        }
        n += 1;
    }
}

/// `amount` for the part of `[from, to)` that `[part_from, part_to)`
/// covers, by the second: multiplied before divided, so a day of a 30-day
/// month is exactly `amount / 30` to 28 digits before the line is rounded.
pub fn prorate(
    amount: Decimal,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (part_from, part_to): (DateTime<Utc>, DateTime<Utc>),
) -> Decimal {
    let whole = (to - from).num_seconds();
    let part = (part_to.min(to) - part_from.max(from)).num_seconds();
    if whole <= 0 || part <= 0 {
        return Decimal::ZERO;
    }
    if part >= whole {
        return amount;
    }
    amount * Decimal::from(part) / Decimal::from(whole)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("date")
    }

    #[test]
    fn months_count_from_the_anchor_so_the_31st_comes_back() {
        let anchor = day(2026, 1, 31);
        let m = BillingInterval::Monthly;
        assert_eq!(period_end(anchor, m, anchor), day(2026, 2, 28));
        assert_eq!(period_end(anchor, m, day(2026, 2, 28)), day(2026, 3, 31));
        assert_eq!(period_end(anchor, m, day(2026, 3, 31)), day(2026, 4, 30));
        assert_eq!(period_end(anchor, BillingInterval::Yearly, anchor), day(2027, 1, 31));
    }

    #[test]
    fn proration_is_exact_and_clamped_to_the_period() {
        let month = (day(2026, 11, 1), day(2026, 12, 1));
        let fee = Decimal::new(4999, 2);
        assert_eq!(prorate(fee, month, (day(2026, 11, 16), month.1)), Decimal::new(24995, 3));
        assert_eq!(prorate(fee, month, (day(2026, 10, 1), day(2027, 1, 1))), fee);
        assert_eq!(prorate(fee, month, (day(2026, 12, 1), day(2026, 12, 5))), Decimal::ZERO);
        let one_day = prorate(Decimal::from(30), month, (day(2026, 11, 1), day(2026, 11, 2)));
        assert_eq!(one_day, Decimal::ONE);
    }
}
