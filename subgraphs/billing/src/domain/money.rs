//! Money: an ISO 4217 currency and an amount in its minor units (cents,
//! yen, fils). Prices are decimals (`rust_decimal`), never floats; an
//! amount becomes minor units once, rounded half away from zero at the
//! currency's exponent (0 for JPY, 2 for EUR, 3 for BHD).

use iso_currency::Currency as Iso;
use rust_decimal::{Decimal, RoundingStrategy};
use subgraph_kit::{ApiError, ApiResult};

/// A currency money can be charged in: an ISO 4217 code with a number of
/// minor units (funds, precious metals and "no currency" have none and are
/// refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: Iso,
    exponent: u32,
}

impl Currency {
    /// The currency of an ISO 4217 alphabetic code (`EUR`, `JPY`, `BHD`);
    /// `BAD_USER_INPUT` on `field` otherwise.
    pub fn parse(field: &str, code: &str) -> ApiResult<Self> {
        let bad = || ApiError::bad_input(field, format!("{code:?} is not an ISO 4217 currency code"));
        let c = Iso::from_code(code).ok_or_else(bad)?;
        let exponent = c.exponent().ok_or_else(|| {
            ApiError::bad_input(field, format!("{code} has no minor unit and cannot be charged in"))
        })?;
        Ok(Self { code: c, exponent: u32::from(exponent) })
    }

    /// The alphabetic code.
    pub fn code(&self) -> &'static str {
        self.code.code()
    }

    /// Digits after the decimal point in its minor unit.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// `amount` in minor units, rounded half away from zero.
    pub fn to_minor(&self, amount: Decimal) -> ApiResult<i64> {
        let scaled = amount
            .round_dp_with_strategy(self.exponent, RoundingStrategy::MidpointAwayFromZero)
            .checked_mul(Decimal::from(10_i64.pow(self.exponent)))
            .ok_or_else(overflow)?;
        i64::try_from(scaled.trunc()).map_err(|_| overflow())
    }

    /// Minor units as a decimal amount (`1234` cents → `12.34`).
    pub fn from_minor(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.exponent)
    }
}

fn overflow() -> ApiError {
    ApiError::bad_input("amount", "the amount is too large")
}
