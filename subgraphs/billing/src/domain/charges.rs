//! Charge models: how a period's quantity of a billable metric becomes an
//! amount, with the tiers it went through (an invoice line shows them).
//!
//! - **Flat**: a fixed amount per period, whatever the quantity.
//! - **Per unit**: quantity × unit price.
//! - **Graduated**: each tier prices the units that fall in it (the first
//!   100 at one price, the next 900 at another, …), plus the tier's flat
//!   fee when any unit falls in it.
//! - **Volume**: the tier the whole quantity falls in prices every unit,
//!   plus that tier's flat fee.
//! - **Package**: after the free units, every started package of `size`
//!   units costs `price` (1 to 100 units: one package; 101: two).
//!
//! Tiers are written as the last unit each covers (`upTo`), ascending, the
//! last one open. A quantity is never negative. Amounts stay exact
//! decimals here; the invoice rounds each line once to minor units.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use subgraph_kit::{ApiError, ApiResult};

/// One tier of a graduated or volume charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// The last unit this tier covers; `None` for the open last tier.
    pub up_to: Option<Decimal>,
    /// Price of each unit in the tier.
    pub unit_price: Decimal,
    /// Added once when any unit falls in the tier.
    #[serde(default)]
    pub flat_fee: Decimal,
}

/// How a charge prices a quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "camelCase")]
pub enum ChargeModel {
    /// A fixed amount per period.
    Flat {
        /// The amount.
        amount: Decimal,
    },
    /// Quantity × unit price.
    PerUnit {
        /// Price of one unit.
        unit_price: Decimal,
    },
    /// Each tier prices its own units.
    Graduated {
        /// Ascending tiers, the last open.
        tiers: Vec<Tier>,
    },
    /// The whole quantity's tier prices every unit.
    Volume {
        /// Ascending tiers, the last open.
        tiers: Vec<Tier>,
    },
    /// Every started package of `size` units after the free ones.
    Package {
        /// Units per package.
        size: Decimal,
        /// Price of one package.
        price: Decimal,
        /// Units free before the first package.
        #[serde(default)]
        free_units: Decimal,
    },
}

/// One part of a priced quantity, as an invoice line shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// Units priced by this part.
    pub units: Decimal,
    /// Price per unit (per package for a package charge; the amount for a
    /// flat charge or a tier's flat fee, with `units` 1).
    pub unit_price: Decimal,
    /// `units × unit_price`.
    pub amount: Decimal,
    /// The tier (0-based) when the model has tiers.
    pub tier: Option<usize>,
}

/// A priced quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priced {
    /// The sum of the parts.
    pub amount: Decimal,
    /// What made it up.
    pub parts: Vec<Part>,
}

impl ChargeModel {
    /// Checks the model's numbers: prices and fees not negative, package
    /// size positive, tiers ascending with only the last one open.
    pub fn validate(&self) -> ApiResult<()> {
        let not_negative = |field: &str, d: Decimal| {
            if d.is_sign_negative() && !d.is_zero() {
                Err(ApiError::bad_input(field, format!("{field} cannot be negative")))
            } else {
                Ok(())
            }
        };
        match self {
            Self::Flat { amount } => not_negative("amount", *amount),
            Self::PerUnit { unit_price } => not_negative("unitPrice", *unit_price),
            Self::Package { size, price, free_units } => {
                if *size <= Decimal::ZERO {
                    return Err(ApiError::bad_input("size", "a package holds at least one unit"));
                }
                not_negative("price", *price)?;
                not_negative("freeUnits", *free_units)
            }
            Self::Graduated { tiers } | Self::Volume { tiers } => {
                if tiers.is_empty() || tiers.len() > 50 {
                    return Err(ApiError::bad_input("tiers", "a tiered charge has 1 to 50 tiers"));
                }
                let mut last = Decimal::ZERO;
                for (i, t) in tiers.iter().enumerate() {
                    not_negative("unitPrice", t.unit_price)?;
                    not_negative("flatFee", t.flat_fee)?;
                    match (t.up_to, i + 1 == tiers.len()) {
                        (None, true) => {}
                        (None, false) => {
                            return Err(ApiError::bad_input("tiers", "only the last tier is open-ended"));
                        }
                        (Some(_), true) => {
                            return Err(ApiError::bad_input("tiers", "the last tier must be open-ended"));
                        }
                        (Some(up_to), false) => {
                            if up_to <= last {
                                return Err(ApiError::bad_input(
                                    "tiers",
                                    "tiers must ascend without overlapping: each upTo above the one before",
                                ));
                            }
                            last = up_to;
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// The price of `quantity` units in one period.
    pub fn price(&self, quantity: Decimal) -> ApiResult<Priced> {
        if quantity.is_sign_negative() && !quantity.is_zero() {
            return Err(ApiError::bad_input("quantity", "a quantity cannot be negative"));
        }
        self.validate()?;
        let parts = match self {
            Self::Flat { amount } => vec![part(Decimal::ONE, *amount, None)?],
            Self::PerUnit { unit_price } => vec![part(quantity, *unit_price, None)?],
            Self::Package { size, price, free_units } => {
                let billable = (quantity - *free_units).max(Decimal::ZERO);
                vec![part((billable / *size).ceil(), *price, None)?]
            }
            Self::Graduated { tiers } => graduated(tiers, quantity)?,
            Self::Volume { .. } if quantity.is_zero() => Vec::new(),
            Self::Volume { tiers } => {
                let i = tiers.iter().position(|t| t.up_to.is_none_or(|u| quantity <= u)).unwrap_or(0);
                let t = &tiers[i];
                let mut parts = vec![part(quantity, t.unit_price, Some(i))?];
                if !t.flat_fee.is_zero() {
                    parts.push(part(Decimal::ONE, t.flat_fee, Some(i))?);
                }
                parts
            }
        };
        let amount =
            parts.iter().try_fold(Decimal::ZERO, |sum, p| sum.checked_add(p.amount)).ok_or_else(too_large)?;
        Ok(Priced { amount, parts })
    }
}

fn graduated(tiers: &[Tier], quantity: Decimal) -> ApiResult<Vec<Part>> {
    let mut parts = Vec::new();
    let mut below = Decimal::ZERO;
    for (i, t) in tiers.iter().enumerate() {
        if quantity <= below {
            break;
        }
        let top = t.up_to.map_or(quantity, |u| u.min(quantity));
        let units = top - below;
        parts.push(part(units, t.unit_price, Some(i))?);
        if !t.flat_fee.is_zero() {
            parts.push(part(Decimal::ONE, t.flat_fee, Some(i))?);
        }
        match t.up_to {
            Some(u) if u < quantity => below = u,
            _ => break,
        }
    }
    Ok(parts)
}

fn part(units: Decimal, unit_price: Decimal, tier: Option<usize>) -> ApiResult<Part> {
    let amount = units.checked_mul(unit_price).ok_or_else(too_large)?;
    Ok(Part { units, unit_price, amount, tier })
}

fn too_large() -> ApiError {
    ApiError::bad_input("quantity", "the amount is too large")
}
