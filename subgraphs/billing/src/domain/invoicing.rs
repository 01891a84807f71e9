//! What an invoice says, as arithmetic: the fee of each plan version for
//! its part of the period (none during a trial), each usage charge of the
//! usage in that part, then the tax. Every line is exact until it is
//! rounded once to the currency's minor unit; totals add integers.

use backbone_entities::billing::invoice_line::LineKind;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{catalogue::Plan, charges::ChargeModel, money::Currency, periods, usage::Period};

/// One plan version's part of the billed period, with the usage of each
/// of its charges in that part (in the plan's charge order).
pub struct PhaseUsage<'a> {
    /// The plan version.
    pub plan: &'a Plan,
    /// Its part of the billed period.
    pub part: Period,
    /// Quantity per charge.
    pub usage: Vec<Decimal>,
}

/// A tax to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tax {
    /// What the invoice calls it.
    pub name: String,
    /// Percent.
    pub rate: Decimal,
    /// The lines already include it.
    pub inclusive: bool,
}

/// A computed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What it charges for.
    pub kind: LineKind,
    /// What the customer reads.
    pub description: String,
    /// The metric of a usage line.
    pub metric_id: Option<Uuid>,
    /// The plan version.
    pub plan_id: Option<Uuid>,
    /// Units, or the share of the period a fee covers.
    pub quantity: Decimal,
    /// Minor units.
    pub amount: i64,
    /// How it was priced.
    pub detail: serde_json::Value,
    /// What it covers.
    pub part: Period,
}

/// The lines of the billed period `billed` of a subscription whose whole
/// period is `full` (they differ only when it ended early), the fee not
/// charged before `trial_ends_at`.
pub fn lines(
    currency: Currency,
    full: Period,
    trial_ends_at: Option<DateTime<Utc>>,
    phases: &[PhaseUsage<'_>],
) -> ApiResult<Vec<Line>> {
    let mut out = Vec::new();
    let whole = (full.from, full.to);
    for phase in phases {
        let plan = &phase.plan.plan;
        let (from, to) = (phase.part.from, phase.part.to);
        let fee: Decimal = plan.fee.parse().map_err(|e| ApiError::Internal(format!("stored fee: {e}")))?;
        let billable_from = trial_ends_at.map_or(from, |t| t.max(from));
        if !fee.is_zero() && billable_from < to {
            let amount = periods::prorate(fee, whole, (billable_from, to));
            out.push(Line {
                kind: LineKind::Fee,
                description: format!("{} (v{}) subscription fee", plan.name, plan.version),
                metric_id: None,
                plan_id: Some(plan.id),
                quantity: share(whole, (billable_from, to)),
                amount: currency.to_minor(amount)?,
                detail: json!({"fee": fee.to_string(), "from": billable_from, "to": to}),
                part: Period { from: billable_from, to },
            });
        }
        for ((metric, model), quantity) in phase.plan.charges.iter().zip(&phase.usage) {
            let priced = model.price(*quantity)?;
            let amount = match model {
                // A flat charge is per period: each plan version's part pays its share.
                ChargeModel::Flat { .. } => periods::prorate(priced.amount, whole, (from, to)),
                _ => priced.amount,
            };
            out.push(Line {
                kind: LineKind::Usage,
                description: format!("{} ({})", metric.name, plan.name),
                metric_id: Some(metric.id),
                plan_id: Some(plan.id),
                quantity: *quantity,
                amount: currency.to_minor(amount)?,
                detail: serde_json::to_value(&priced).map_err(|e| ApiError::Internal(e.to_string()))?,
                part: phase.part,
            });
        }
    }
    Ok(out)
}

/// The share of `whole` that `part` covers, to 6 places (what a fee line
/// shows; its amount is prorated exactly).
fn share(whole: (DateTime<Utc>, DateTime<Utc>), part: (DateTime<Utc>, DateTime<Utc>)) -> Decimal {
    periods::prorate(Decimal::ONE, whole, part).round_dp(6).normalize()
}

/// An invoice's totals in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the lines.
    pub subtotal: i64,
    /// The tax: added on top, or the part of the subtotal it makes up.
    pub tax: i64,
    /// What is owed.
    pub total: i64,
}

/// Adds up `amounts` and applies `tax` once to their sum.
pub fn totals(
    currency: Currency,
    amounts: impl IntoIterator<Item = i64>,
    tax: Option<&Tax>,
) -> ApiResult<Totals> {
    let overflow = || ApiError::bad_input("amount", "the invoice total is too large");
    let subtotal = amounts.into_iter().try_fold(0_i64, |sum, a| sum.checked_add(a)).ok_or_else(overflow)?;
    let Some(tax) = tax else { return Ok(Totals { subtotal, tax: 0, total: subtotal }) };
    let base = currency.from_minor(subtotal);
    let hundred = Decimal::ONE_HUNDRED;
    if tax.inclusive {
        let part = currency.to_minor(base * tax.rate / (hundred + tax.rate))?;
        Ok(Totals { subtotal, tax: part, total: subtotal })
    } else {
        let added = currency.to_minor(base * tax.rate / hundred)?;
        Ok(Totals { subtotal, tax: added, total: subtotal.checked_add(added).ok_or_else(overflow)? })
    }
}
