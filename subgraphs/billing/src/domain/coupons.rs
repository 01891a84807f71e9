//! Coupons: discounts off an invoice before tax. A coupon takes a percent
//! or a fixed amount in one currency off, for a number of invoices or for
//! every one. A tenant's redeemed coupons apply in the order redeemed,
//! each to what the ones before it left; an amount coupon in another
//! currency than the invoice's does not apply.

use backbone_entities::billing::{coupon, redemption};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult, validate};
use uuid::Uuid;

use super::{invoicing::Line, money::Currency, usage::Period};

/// A coupon as the operator writes it.
pub struct NewCoupon {
    /// Stable code.
    pub code: String,
    /// Name on invoices.
    pub name: String,
    /// Percent off (0 to 100], or…
    pub percent_off: Option<Decimal>,
    /// …an amount off in `currency`.
    pub amount_off: Option<Decimal>,
    /// ISO 4217 code of `amount_off`.
    pub currency: Option<String>,
    /// Invoices it applies to; none for every one.
    pub periods: Option<i32>,
}

/// Adds a coupon.
pub async fn create(db: &impl ConnectionTrait, c: NewCoupon) -> ApiResult<coupon::Model> {
    let code = super::catalogue::code("code", &c.code)?;
    let name = validate::name("name", &c.name)?;
    let (percent, amount, currency) = match (c.percent_off, c.amount_off, c.currency) {
        (Some(p), None, None) if p > Decimal::ZERO && p <= Decimal::ONE_HUNDRED => {
            (Some(p.normalize().to_string()), None, None)
        }
        (None, Some(a), Some(cur)) if a > Decimal::ZERO => {
            let currency = Currency::parse("currency", &cur)?;
            if a.round_dp(currency.exponent()) != a {
                return Err(ApiError::bad_input(
                    "amountOff",
                    format!("{} has {} decimals", currency.code(), currency.exponent()),
                ));
            }
            (None, Some(currency.to_minor(a)?), Some(currency.code().to_owned()))
        }
        _ => {
            return Err(ApiError::bad_input(
                "percentOff",
                "a coupon takes off a percent (above 0, at most 100) or a positive amount with its currency",
            ));
        }
    };
    if c.periods.is_some_and(|p| p < 1) {
        return Err(ApiError::bad_input("periods", "a coupon applies to at least one invoice"));
    }
    coupon::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.clone()),
        name: Set(name),
        percent_off: Set(percent),
        amount_off: Set(amount),
        currency: Set(currency),
        periods: Set(c.periods),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::conflict("CODE_TAKEN", format!("a coupon {code} exists"))
        }
        _ => e.into(),
    })
}

/// Redeems coupon `code` for `tenant_id`: it applies to its next invoices.
pub async fn redeem(db: &impl ConnectionTrait, tenant_id: Uuid, code: &str) -> ApiResult<redemption::Model> {
    let c = coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no coupon {code}")))?;
    redemption::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        coupon_id: Set(c.id),
        periods_left: Set(c.periods),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::conflict("ALREADY_REDEEMED", format!("the tenant redeemed {code} already"))
        }
        _ => e.into(),
    })
}

/// The discount lines `tenant_id`'s coupons give an invoice whose lines
/// add up to `subtotal` (minor units).
pub async fn discounts(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    currency: Currency,
    subtotal: i64,
    part: Period,
) -> ApiResult<Vec<Line>> {
    let redeemed = redemption::Entity::find()
        .filter(redemption::Column::TenantId.eq(tenant_id))
        .filter(redemption::Column::PeriodsLeft.is_null().or(redemption::Column::PeriodsLeft.gt(0)))
        .order_by_asc(redemption::Column::CreatedAt)
        .order_by_asc(redemption::Column::Id)
        .all(db)
        .await?;
    let mut left = Ord::max(subtotal, 0);
    let mut out = Vec::new();
    for r in redeemed {
        let Some(c) = coupon::Entity::find_by_id(r.coupon_id).one(db).await? else { continue };
        let off = match (&c.percent_off, c.amount_off, &c.currency) {
            (Some(p), _, _) => {
                let p: Decimal = p.parse().map_err(|e| ApiError::Internal(format!("stored percent: {e}")))?;
                currency.to_minor(currency.from_minor(left) * p / Decimal::ONE_HUNDRED)?
            }
            (None, Some(a), Some(cur)) if cur == currency.code() => Ord::min(a, left),
            _ => continue,
        };
        if off == 0 {
            continue;
        }
        left -= off;
        out.push(Line {
            kind: backbone_entities::billing::invoice_line::LineKind::Discount,
            description: c.name.clone(),
            metric_id: None,
            plan_id: None,
            quantity: Decimal::ONE,
            amount: -off,
            detail: json!({"coupon": c.code, "redemptionId": r.id}),
            part,
        });
    }
    Ok(out)
}

/// Counts an invoice against each redemption its discount `lines` came
/// from (at finalization).
pub async fn consume(
    db: &impl ConnectionTrait,
    lines: &[backbone_entities::billing::invoice_line::Model],
) -> ApiResult<()> {
    for l in lines {
        let detail: serde_json::Value = serde_json::from_str(&l.detail).unwrap_or_default();
        let Some(id) = detail["redemptionId"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else { continue };
        redemption::Entity::update_many()
            .col_expr(redemption::Column::PeriodsLeft, Expr::col(redemption::Column::PeriodsLeft).sub(1))
            .filter(redemption::Column::Id.eq(id))
            .filter(redemption::Column::PeriodsLeft.is_not_null())
            .exec(db)
            .await?;
    }
    Ok(())
}
