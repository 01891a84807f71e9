//! Usage that arrives after the invoice of its period was finalized is
//! charged on the subscription's next invoice. Each usage charge of the
//! recent finalized invoices (a plan version, a metric, a part of a
//! period) is priced again over the usage that part holds now; the
//! difference from what the finalized invoices charged for that part so
//! far (its first line and any late lines since) is a `LATE_USAGE` line.
//! The part keeps its own tiers and prices, and nothing is charged twice.

use std::collections::HashMap;

use backbone_entities::billing::{
    invoice::{self, InvoiceStatus},
    invoice_line::{self, LineKind},
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{
    catalogue::{self, Plan},
    charges::ChargeModel,
    invoicing::Line,
    money::Currency,
    usage::{self, Period},
};

/// How many of the subscription's latest finalized invoices are looked
/// at again: usage later than that stays recorded, not charged.
pub const LOOKBACK_INVOICES: u64 = 12;

/// What has been charged so far for one part of a period.
struct Charged {
    plan_id: Uuid,
    metric_id: Uuid,
    part: Period,
    quantity: Decimal,
    amount: i64,
}

/// The late-usage lines for the invoice of `subscription_id` that starts
/// at `before`, in `currency`.
pub(crate) async fn lines(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    subscription_id: Uuid,
    before: DateTime<Utc>,
    currency: Currency,
) -> ApiResult<Vec<Line>> {
    let mut out = Vec::new();
    let mut plans: HashMap<Uuid, Plan> = HashMap::new();
    for c in charged(txn, subscription_id, before).await? {
        let plan = match plans.entry(c.plan_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(catalogue::plan_by_id(txn, c.plan_id).await?)
            }
        };
        let Some((metric, model)) = plan.charges.iter().find(|(m, _)| m.id == c.metric_id) else { continue };
        if matches!(model, ChargeModel::Flat { .. }) {
            continue; // a per-period amount, whatever the usage
        }
        let now = usage::quantity(txn, tenant_id, metric, c.part).await?;
        if now == c.quantity {
            continue;
        }
        let priced = model.price(now)?;
        let amount = currency.to_minor(priced.amount)? - c.amount;
        let mut detail = serde_json::to_value(&priced).map_err(|e| ApiError::Internal(e.to_string()))?;
        detail["chargedQuantity"] = json!(c.quantity.to_string());
        detail["chargedAmount"] = json!(c.amount);
        out.push(Line {
            kind: LineKind::LateUsage,
            description: format!(
                "{} ({}), reported late for {} – {}",
                metric.name,
                plan.plan.name,
                c.part.from.date_naive(),
                c.part.to.date_naive()
            ),
            metric_id: Some(metric.id),
            plan_id: Some(plan.plan.id),
            quantity: (now - c.quantity).normalize(),
            amount,
            detail,
            part: c.part,
        });
    }
    Ok(out)
}

/// The usage charged by the subscription's latest finalized (or paid)
/// invoices that end by `before`, summed per plan, metric and part, in
/// the order of the parts.
async fn charged(
    txn: &DatabaseTransaction,
    subscription_id: Uuid,
    before: DateTime<Utc>,
) -> ApiResult<Vec<Charged>> {
    let recent: Vec<Uuid> = invoice::Entity::find()
        .select_only()
        .column(invoice::Column::Id)
        .filter(invoice::Column::SubscriptionId.eq(subscription_id))
        .filter(invoice::Column::Status.is_in([InvoiceStatus::Finalized, InvoiceStatus::Paid]))
        .filter(invoice::Column::PeriodEnd.lte(before))
        .order_by_desc(invoice::Column::PeriodStart)
        .limit(LOOKBACK_INVOICES)
        .into_tuple()
        .all(txn)
        .await?;
    if recent.is_empty() {
        return Ok(Vec::new());
    }
    let rows = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.is_in(recent))
        .filter(invoice_line::Column::Kind.is_in([LineKind::Usage, LineKind::LateUsage]))
        .order_by_asc(invoice_line::Column::FromAt)
        .order_by_asc(invoice_line::Column::Position)
        .all(txn)
        .await?;
    let mut out: Vec<Charged> = Vec::new();
    for line in rows {
        let (Some(plan_id), Some(metric_id)) = (line.plan_id, line.metric_id) else { continue };
        let quantity: Decimal =
            line.quantity.parse().map_err(|e| ApiError::Internal(format!("stored quantity: {e}")))?;
        let part = Period { from: line.from_at, to: line.to_at };
        let same = |c: &&mut Charged| c.plan_id == plan_id && c.metric_id == metric_id && c.part == part;
        match out.iter_mut().find(same) {
            Some(c) => {
                c.quantity += quantity;
                c.amount += line.amount;
            }
            None => out.push(Charged { plan_id, metric_id, part, quantity, amount: line.amount }),
        }
    }
    Ok(out)
}
